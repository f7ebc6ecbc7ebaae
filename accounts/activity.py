"""A user's own security activity: which of their events they see, and how each one reads.

The list answers "what happened to my account, from where": sign-ins, sign-outs,
password changes and resets, re-authentications, revocations and reuse alarms.
Only events recorded *for* the user are candidates (``user`` is the caller), read
newest first along the ``event_user_idx`` index (user, created_at).

Left out:

- failed logins. They are recorded with the name as typed, not with an account
  (``services.log_in``): matching names to the caller would show attempts made
  on another account of the same name before a rename or a deletion, and
  nothing an attacker typed belongs in another person's page;
- the address and browser of an administrator who acted on the account (the
  event records the administrator's client): the row says an administrator did it.
"""
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import RevocationReason, SecurityEvent, SecurityEventKind

Kind = SecurityEventKind

SHOWN_KINDS = frozenset(
    {
        Kind.LOGIN_SUCCEEDED,
        Kind.REGISTERED,
        Kind.LOGOUT,
        Kind.SESSION_REVOKED,
        Kind.REUSE_DETECTED,
        Kind.PASSWORD_CHANGED,
        Kind.PASSWORD_RESET_REQUESTED,
        Kind.PASSWORD_RESET,
        Kind.REAUTHENTICATED,
        Kind.MFA_TOTP_ADDED,
        Kind.MFA_TOTP_REMOVED,
        Kind.MFA_RECOVERY_CODES_CREATED,
        Kind.MFA_RECOVERY_CODE_USED,
        Kind.MFA_RESET,
        Kind.PERSONAL_TOKEN_CREATED,
        Kind.PERSONAL_TOKEN_REVOKED,
        Kind.EMAIL_VERIFIED,
        Kind.EMAIL_CHANGE_REQUESTED,
        Kind.EMAIL_CHANGED,
        Kind.PASSKEY_ADDED,
        Kind.PASSKEY_REMOVED,
        Kind.PASSKEY_SIGN_COUNT_REGRESSED,
        Kind.USERNAME_CHANGED,
        Kind.DATA_EXPORTED,
        Kind.IDENTITY_LINKED,
        Kind.IDENTITY_UNLINKED,
    }
)

# Every other kind, with why it is not shown (a test keeps the two lists covering every kind).
HIDDEN_KINDS = {
    Kind.LOGIN_FAILED: "recorded with the name as typed, never with an account",
    Kind.ACCOUNT_DELETED: "recorded once the account is gone, under a pseudonym: nobody left to show it to",
}

_FIELDS = ("id", "kind", "created_at", "user_id", "session_id", "actor_id", "reason", "ip_address", "user_agent")

_LABELS = {
    Kind.REGISTERED: _("Account created"),
    Kind.LOGOUT: _("Signed out"),
    Kind.REUSE_DETECTED: _("Signed out: an old sign-in token of this session was used again"),
    Kind.PASSWORD_CHANGED: _("Password changed"),
    Kind.PASSWORD_RESET_REQUESTED: _("Password reset email sent"),
    Kind.PASSWORD_RESET: _("Password reset with an email link"),
    Kind.REAUTHENTICATED: _("Confirmed it was you with your password"),
    Kind.MFA_TOTP_ADDED: _("Authenticator app added"),
    Kind.MFA_TOTP_REMOVED: _("Authenticator app removed"),
    Kind.MFA_RECOVERY_CODES_CREATED: _("New recovery codes created"),
    Kind.MFA_RECOVERY_CODE_USED: _("Recovery code used"),
    Kind.MFA_RESET: _("Two-step sign-in turned off by an administrator"),
    Kind.PERSONAL_TOKEN_CREATED: _("Personal access token created"),
    Kind.PERSONAL_TOKEN_REVOKED: _("Personal access token revoked"),
    Kind.EMAIL_VERIFIED: _("Email address verified"),
    Kind.EMAIL_CHANGE_REQUESTED: _("Confirmation link sent to a new email address"),
    Kind.EMAIL_CHANGED: _("Email address changed"),
    Kind.PASSKEY_ADDED: _("Passkey added"),
    Kind.PASSKEY_REMOVED: _("Passkey removed"),
    Kind.PASSKEY_SIGN_COUNT_REGRESSED: _("Passkey sign-in refused: the passkey may have been copied"),
    Kind.USERNAME_CHANGED: _("Username changed"),
    Kind.DATA_EXPORTED: _("Your data downloaded"),
    Kind.IDENTITY_LINKED: _("Sign-in provider linked"),
    Kind.IDENTITY_UNLINKED: _("Sign-in provider unlinked"),
}

# A re-authentication's reason is the method, when it was not the password.
_CONFIRMED_WITH = {
    "totp": _("Confirmed it was you with an authenticator code"),
    "recovery_code": _("Confirmed it was you with a recovery code"),
    "passkey": _("Confirmed it was you with a passkey"),
}

_ENDED_BECAUSE = {
    RevocationReason.LOGOUT: _("Signed out"),
    RevocationReason.LOGOUT_ALL: _("Signed out everywhere"),
    RevocationReason.LOGOUT_OTHERS: _("Signed out everywhere else"),
    RevocationReason.ACCOUNT_DELETED: _("Signed out: the account was deleted"),
    RevocationReason.USER_REVOKED: _("Signed out another session"),
    RevocationReason.PASSWORD_CHANGED: _("Other sessions signed out after the password change"),
    RevocationReason.PASSWORD_RESET: _("Every session signed out after the password reset"),
    RevocationReason.USER_DEACTIVATED: _("Signed out: the account was deactivated"),
    RevocationReason.ADMIN_REVOKED: _("Signed out from the admin site"),
    RevocationReason.REUSE_DETECTED: _("Signed out: an old sign-in token of this session was used again"),
}

_BY_AN_ADMINISTRATOR = {
    RevocationReason.PASSWORD_CHANGED: _("Signed out everywhere: an administrator set a new password"),
    RevocationReason.USER_DEACTIVATED: _("Signed out: an administrator deactivated the account"),
}


def events_of(*, user) -> QuerySet:
    """The user's own visible events, newest first (the paginator keeps this order)."""
    return (
        SecurityEvent.objects.filter(user=user, kind__in=sorted(SHOWN_KINDS))
        .only(*_FIELDS)
        .order_by("-created_at", "-id")
    )


def by_someone_else(event) -> bool:
    """Done to the account by another person (an administrator): their client is theirs, not the user's."""
    return event.actor_id is not None and event.actor_id != event.user_id


def label(event) -> str:
    """One line a person understands, in the past tense."""
    if event.kind == Kind.LOGIN_SUCCEEDED:
        # The API's logins open a session; the admin site's login does not.
        return _("Signed in") if event.session_id else _("Signed in to the admin site")
    if event.kind == Kind.SESSION_REVOKED:
        if by_someone_else(event):
            return _BY_AN_ADMINISTRATOR.get(event.reason, _("Signed out by an administrator"))
        return _ENDED_BECAUSE.get(event.reason, _("Session ended"))
    if event.kind == Kind.REAUTHENTICATED and event.reason:
        if event.reason.startswith("fed:"):
            return _("Confirmed it was you with a linked sign-in provider")
        return _CONFIRMED_WITH.get(event.reason, _("Confirmed it was you"))
    return _LABELS.get(event.kind) or event.get_kind_display()
