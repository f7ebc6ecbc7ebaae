"""The second steps a login or a re-authentication may take, by name.

A login answers 202 with the names of the methods the account can use
(``"methods"``); ``POST /api/auth/login/mfa/`` and ``POST /api/auth/reauthenticate/``
hand the request's proof (``{"code": ...}``, or a passkey's ``{"credential": ...}``
with the login attempt's ``binding``) to ``verify``, which tries each registered
method that accepts that shape of proof; nothing else dispatches on method names.

Whether an account has a second factor at all (and so needs the second
step) is ``accounts.mfa.factors``, below this registry: the factors are
stored ones (an authenticator app, a passkey); recovery codes are a fallback
that exists only next to one.
"""
from dataclasses import dataclass
from typing import Callable

from accounts.mfa import notices, recovery_codes, totp
from accounts.models import SecurityEventKind
from accounts.passkeys import flows as passkey_flows


@dataclass(frozen=True)
class Method:
    name: str  # as listed in a 202's "methods"
    amr: str  # what the session's access tokens then carry in "amr" (RFC 8176)
    enrolled: Callable  # (user) -> bool
    accepts: Callable  # (proof: dict) -> bool: the proof has this method's shape
    verify: Callable  # (*, user, proof, client, session_id) -> bool; spends what it accepts


_REGISTRY: dict[str, Method] = {}


def register(method: Method) -> None:
    _REGISTRY[method.name] = method


def available(user) -> list[Method]:
    """The methods ``user`` can take their second step with, in registration order."""
    return [method for method in _REGISTRY.values() if method.enrolled(user)]


def verify(*, user, proof: dict, client, session_id=None) -> Method | None:
    """The method that accepted ``proof`` for ``user`` (and spent it), or None."""
    for method in _REGISTRY.values():
        if method.accepts(proof) and method.verify(user=user, proof=proof, client=client, session_id=session_id):
            return method
    return None


def _verify_totp(*, user, proof, client, session_id):
    return totp.verify(user=user, code=proof["code"])


def _verify_recovery_code(*, user, proof, client, session_id):
    if not recovery_codes.use(user=user, code=proof["code"]):
        return False
    notices.notify(
        SecurityEventKind.MFA_RECOVERY_CODE_USED, user=user, client=client, session_id=session_id,
        remaining=recovery_codes.remaining(user=user),
    )
    return True


def _verify_passkey(*, user, proof, client, session_id):
    if not proof.get("binding"):
        return False
    try:
        passkey_flows.verify_second_step(
            user=user, credential=proof["credential"], binding=proof["binding"], client=client
        )
    except passkey_flows.SecondStepFailed:
        return False
    return True


def _has_unused_recovery_codes(user):
    return recovery_codes.remaining(user=user) > 0


register(Method(
    name="totp", amr="otp", enrolled=totp.is_enrolled,
    accepts=lambda proof: totp.looks_like_a_code(proof.get("code")), verify=_verify_totp,
))
register(Method(
    name="recovery_code", amr="otp", enrolled=_has_unused_recovery_codes,
    accepts=lambda proof: recovery_codes.looks_like_a_code(proof.get("code")), verify=_verify_recovery_code,
))
register(Method(
    name="passkey", amr="hwk", enrolled=passkey_flows.has_passkeys,
    accepts=lambda proof: isinstance(proof.get("credential"), dict), verify=_verify_passkey,
))
