"""The admin's one door to the second-step machinery the API uses.

The admin login and the admin's re-authentication check a second factor
exactly as ``POST /api/auth/login/mfa/`` does: through
``accounts.mfa.methods.verify`` (an authenticator-app code, a recovery code,
or a passkey's assertion checked by ``accounts.passkeys``). Every call from
the admin into those packages is here, so that when sign-in gets one shared
path this is the only module to re-point.
"""
from accounts import conf
from accounts.mfa import factors, methods
from accounts.passkeys import flows as passkey_flows
from accounts.passkeys import relying_party


def required(user) -> bool:
    """Whether a password alone is not enough for ``user`` (the flag a login reads)."""
    return bool(user.mfa_enabled)


def method_names(user) -> list[str]:
    """The methods ``user`` can take the second step with, as a 202 of the API lists them."""
    return [method.name for method in methods.available(user)]


def passkeys_offered(user) -> bool:
    """A passkey is offered when the user has one and this server has a relying party."""
    return "passkey" in method_names(user) and passkey_options_available()


def passkey_options_available() -> bool:
    return relying_party.available()


def passkey_options(*, user, binding: str) -> dict:
    """WebAuthn options for a passkey as the second step of the attempt named by ``binding``."""
    return passkey_flows.second_step_options(user=user, binding=binding)


def verify(*, user, code: str = "", credential: dict | None = None, binding: str, client):
    """The method that accepted this proof (and spent it, as the API does), or None.

    ``binding`` names the attempt: a passkey's answer counts only for the
    options issued under the same binding.
    """
    proof = {"credential": credential, "binding": binding} if credential is not None else {"code": code.strip()}
    return methods.verify(user=user, proof=proof, client=client)


def summary(user) -> dict:
    """What an administrator may see of a user's factors: dates and counts, never a secret."""
    return factors.summary(user)


def reset(*, user, actor, client) -> bool:
    """An administrator removes every factor of ``user``; recorded and mailed by ``accounts.mfa``."""
    return factors.reset(user=user, actor=actor, client=client)


def ttl_seconds() -> int:
    """A pending second step lives as long as the API's ``mfa_token``."""
    return int(conf.mfa_token_ttl().total_seconds())
