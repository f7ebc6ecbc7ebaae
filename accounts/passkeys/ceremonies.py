"""The two WebAuthn ceremonies, checked with py_webauthn: registration and assertion.

What the browser sends is attacker-controlled bytes (JSON, CBOR, COSE keys,
signatures): any failure to parse or verify it is a ``CeremonyRefused`` with
a reason for the log, never an error of ours. The challenge is used up
(``challenges.consume``) before anything else is checked, so an answer is
tried once. The library's own sign-count check runs before it checks the
signature; ours runs after, so only a genuine signature can report a
counter that went back.
"""
import json
import logging
from dataclasses import dataclass

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import options_to_json_dict
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.passkeys import challenges, codec
from accounts.passkeys.models import ChallengePurpose, Passkey
from accounts.text import strip_control_characters

logger = logging.getLogger(__name__)

ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
_TIMEOUT_MS = int(challenges.LIFETIME.total_seconds() * 1000)
_TRANSPORTS = {transport.value: transport for transport in AuthenticatorTransport}
_REASON_MAX = 300


class CeremonyRefused(Exception):
    """The answer does not verify. ``reason`` is for the log and the tests, not for the client."""

    def __init__(self, reason, *, passkey=None):
        # The library's messages quote what the client sent (an origin, say): no line breaks into the log.
        reason = strip_control_characters(str(reason))[:_REASON_MAX]
        super().__init__(reason)
        self.reason = reason
        self.passkey = passkey


class SignCountRegressed(CeremonyRefused):
    """A genuine signature whose counter is not above the last one: a cloned authenticator, or a replay."""


@dataclass(frozen=True)
class NewCredential:
    credential_id: str
    public_key: bytes
    sign_count: int
    user_handle: str
    transports: str
    aaguid: str
    backed_up: bool


# ---- registration --------------------------------------------------------------


def registration_options(*, rp, user, user_handle: str, challenge: bytes, existing) -> dict:
    """``PublicKeyCredentialCreationOptionsJSON`` for a discoverable credential (a passkey)."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=codec.decode(user_handle),
        user_name=user.get_username(),
        user_display_name=user.get_username(),
        challenge=challenge,
        timeout=_TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(passkey) for passkey in existing],
        supported_pub_key_algs=ALGORITHMS,
    )
    return options_to_json_dict(options)


def verify_registration(*, rp, credential, user, binding) -> NewCredential:
    """Check a ``navigator.credentials.create()`` answer to a challenge issued to this user and binding."""
    client_data = _client_data(credential)
    challenge = _consume(client_data, purpose=ChallengePurpose.REGISTER, user=user, binding=binding)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge.value,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            require_user_verification=False,
            supported_pub_key_algs=ALGORITHMS,
        )
    except Exception as error:  # attacker-controlled input: any failure is a refusal
        raise CeremonyRefused(f"registration: {type(error).__name__}: {error}") from None
    return NewCredential(
        credential_id=codec.encode(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        user_handle=challenge.row.user_handle,
        transports=" ".join(_transports(credential)),
        aaguid=verified.aaguid if verified.aaguid != "00000000-0000-0000-0000-000000000000" else "",
        backed_up=verified.credential_backed_up,
    )


# ---- assertion -----------------------------------------------------------------


def authentication_options(*, rp, challenge: bytes, allowed=(), user_verification=True) -> dict:
    """``PublicKeyCredentialRequestOptionsJSON``; no ``allowed`` passkeys: any discoverable one (passwordless)."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=_TIMEOUT_MS,
        allow_credentials=[_descriptor(passkey) for passkey in allowed],
        user_verification=(
            UserVerificationRequirement.REQUIRED if user_verification else UserVerificationRequirement.PREFERRED
        ),
    )
    return options_to_json_dict(options)


def verify_assertion(*, rp, credential, purpose, user=None, binding="", require_user_verification=True) -> Passkey:
    """The passkey that genuinely signed this answer to a challenge we issued; its counter moved on.

    ``user`` given (re-authentication, the second step of a login): only that
    user's passkeys count. None (passwordless sign-in): the authenticator must
    name the user (``userHandle``) and the name must be the passkey's.
    """
    client_data = _client_data(credential)
    challenge = _consume(client_data, purpose=purpose, user=user, binding=binding)
    passkey = _passkey_for(credential, user=user)
    handle = credential["response"].get("userHandle")
    if handle is None and user is None:
        raise CeremonyRefused("no user handle in a passwordless assertion", passkey=passkey)
    if handle is not None and not (isinstance(handle, str) and constant_time_compare(handle, passkey.user_handle)):
        raise CeremonyRefused("user handle is not the passkey's", passkey=passkey)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge.value,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=bytes(passkey.public_key),
            # Zero turns the library's counter check off: ours below runs
            # after the signature is known to be genuine.
            credential_current_sign_count=0,
            require_user_verification=require_user_verification,
        )
    except Exception as error:  # attacker-controlled input: any failure is a refusal
        raise CeremonyRefused(f"assertion: {type(error).__name__}: {error}", passkey=passkey) from None
    _count_use(passkey, verified.new_sign_count)
    return passkey


def _count_use(passkey, new_count: int) -> None:
    """Move the counter on in one conditional UPDATE; refuse a counter that did not go up.

    Authenticators that keep no counter always say 0 and are let through
    (WebAuthn §6.1.1); once a counter was seen, each use must exceed it.
    Conditional, so two uses racing with one count cannot both pass.
    """
    now = timezone.now()
    rows = Passkey.objects.filter(pk=passkey.pk)
    if new_count == 0:
        updated = rows.filter(sign_count=0).update(last_used_at=now)
    else:
        updated = rows.filter(sign_count__lt=new_count).update(sign_count=new_count, last_used_at=now)
    if not updated and not rows.exists():
        raise CeremonyRefused("the passkey was removed meanwhile", passkey=passkey)
    if not updated:
        raise SignCountRegressed(
            f"sign count {new_count} is not above the stored {passkey.sign_count}", passkey=passkey
        )
    passkey.last_used_at = now
    passkey.sign_count = new_count or passkey.sign_count


# ---- shared --------------------------------------------------------------------


@dataclass(frozen=True)
class _Challenge:
    value: bytes
    row: object


def _client_data(credential) -> dict:
    """The decoded ``clientDataJSON`` of a credential, checked for shape; refused when it has none."""
    response = credential.get("response") if isinstance(credential, dict) else None
    raw = codec.decode(response.get("clientDataJSON")) if isinstance(response, dict) else None
    if raw is None:
        raise CeremonyRefused("no clientDataJSON")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise CeremonyRefused("clientDataJSON is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("challenge"), str):
        raise CeremonyRefused("clientDataJSON has no challenge")
    if data.get("crossOrigin") is True:
        # Our pages refuse to be framed; a ceremony run inside a frame is someone else's page.
        raise CeremonyRefused("cross-origin ceremony")
    return data


def _consume(client_data, *, purpose, user, binding) -> _Challenge:
    value = codec.decode(client_data["challenge"])
    row = challenges.consume(value, purpose=purpose, user=user, binding=binding) if value is not None else None
    if row is None:
        raise CeremonyRefused("unknown, used or expired challenge")
    return _Challenge(value=value, row=row)


def _passkey_for(credential, *, user) -> Passkey:
    raw_id = credential.get("rawId")
    if codec.decode(raw_id) is None or credential.get("id") != raw_id:
        raise CeremonyRefused("malformed credential id")
    found = Passkey.objects.select_related("user").filter(credential_id=raw_id)
    if user is not None:
        found = found.filter(user=user)
    passkey = found.first()
    if passkey is None:
        raise CeremonyRefused("unknown credential" if user is None else "not one of this user's passkeys")
    return passkey


def _descriptor(passkey) -> PublicKeyCredentialDescriptor:
    transports = [_TRANSPORTS[name] for name in passkey.transports.split() if name in _TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=codec.decode(passkey.credential_id), transports=transports or None)


def _transports(credential) -> list[str]:
    response = credential.get("response") if isinstance(credential, dict) else None
    listed = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(listed, list):
        return []
    return sorted({name for name in listed if isinstance(name, str) and name in _TRANSPORTS})
