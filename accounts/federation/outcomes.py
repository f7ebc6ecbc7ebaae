"""How a sign-in through a provider can end, as the codes the browser is sent back with (``?error=<code>``)."""

CANCELLED = "federation_cancelled"  # the person said no at the provider
FAILED = "federation_failed"  # anything else that went wrong: nothing more is told
ACCOUNT_EXISTS = "account_exists"  # the address belongs to an account this identity may not enter by itself
ACCOUNT_UNCONFIRMED = "account_unconfirmed"  # it would enter, but the account never confirmed its address: mailed
SIGNUP_CLOSED = "signup_closed"  # no account for this identity, and none may be made through this provider
IDENTITY_IN_USE = "identity_in_use"  # linking an identity another account has
EMAIL_UNVERIFIED = "email_unverified"  # the new account's address must be confirmed first
SSO_REQUIRED = "sso_required"  # the account's address is owned by another provider, which alone signs it in

CODES = (CANCELLED, FAILED, ACCOUNT_EXISTS, ACCOUNT_UNCONFIRMED, SIGNUP_CLOSED, IDENTITY_IN_USE, EMAIL_UNVERIFIED, SSO_REQUIRED)


class Failed(Exception):
    """The sign-in ends with ``code``; ``reason`` is for the log only (it may name what an attacker tried)."""

    def __init__(self, code: str, reason: str = ""):
        assert code in CODES, code
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
