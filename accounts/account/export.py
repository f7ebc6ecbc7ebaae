"""Everything kept about an account, as one JSON document (GDPR art. 15 and 20).

Each model that points at the user is either read here (``COVERED``) or
named in ``LEFT_OUT`` with the reason; tests/account/test_export.py walks
every relation to the user model and fails on one in neither, so a new
table cannot be forgotten.

Never a secret or what stands for one: no token seeds, digests, password
fingerprints, encrypted factor secrets, passkey public keys or credential
ids, no mail bodies (they carry links with tokens until delivered). Mail is
listed by subject and dates only.
"""
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from accounts.audit import record_event
from accounts.devices.models import KnownDevice, TrustedDevice
from accounts.federation.models import Identity
from accounts.mail.models import OutboxMessage
from accounts.mfa.models import RecoveryCode, TotpDevice
from accounts.models import RefreshSession, SecurityEvent, SecurityEventKind
from accounts.passkeys.models import Passkey
from accounts.oidc_provider.models import OAuthConsent
from accounts.personal_tokens.models import PersonalAccessToken

FORMAT = "gatehouse-account-export/1"


def _when(value):
    return value.isoformat() if value is not None else None


def profile(user) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "email_verified": user.email_verified_at is not None,
        "email_verified_at": _when(user.email_verified_at),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "two_step_sign_in": user.mfa_enabled,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


def sessions(user) -> list:
    rows = RefreshSession.objects.filter(user=user).order_by("created_at")
    return [
        {
            "id": str(row.pk), "created_at": _when(row.created_at), "last_used_at": _when(row.last_used_at),
            "expires_at": _when(row.expires_at), "revoked_at": _when(row.revoked_at),
            "revoked_reason": row.revoked_reason, "ip_address": row.ip_address,
            "last_ip_address": row.last_ip_address, "user_agent": row.user_agent,
            "kept_signed_in": row.persistent, "authenticated_at": _when(row.authenticated_at),
            "authentication_methods": row.amr.split(),
        }
        for row in rows
    ]


def security_events(user) -> list:
    rows = SecurityEvent.objects.filter(user=user).order_by("created_at")
    return [
        {
            "kind": row.kind, "created_at": _when(row.created_at), "reason": row.reason,
            "session_id": str(row.session_id) if row.session_id else None, "ip_address": row.ip_address,
            "user_agent": row.user_agent, "by_an_administrator": row.actor_id is not None,
        }
        for row in rows.only("kind", "created_at", "reason", "session_id", "ip_address", "user_agent", "actor_id")
    ]


def authenticator_app(user):
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        return None
    return {
        "created_at": _when(device.created_at), "confirmed_at": _when(device.confirmed_at),
        "last_used_at": _when(device.last_used_at),
    }


def recovery_codes(user) -> list:
    rows = RecoveryCode.objects.filter(user=user).order_by("created_at", "pk")
    return [{"created_at": _when(row.created_at), "used_at": _when(row.used_at)} for row in rows]


def passkeys(user) -> list:
    return [
        {
            "name": row.name, "created_at": _when(row.created_at), "last_used_at": _when(row.last_used_at),
            "synced": row.backed_up,
        }
        for row in Passkey.objects.filter(user=user).order_by("created_at")
    ]


def personal_tokens(user) -> list:
    return [
        {
            "name": row.name, "prefix": row.prefix, "created_at": _when(row.created_at),
            "expires_at": _when(row.expires_at), "last_used_at": _when(row.last_used_at),
            "last_used_ip": row.last_used_ip, "revoked_at": _when(row.revoked_at),
            "revoked_reason": row.revoked_reason,
        }
        for row in PersonalAccessToken.objects.filter(user=user).order_by("created_at")
    ]


def identities(user) -> list:
    """The accounts at other identity providers that sign in here: which provider, the subject and address it gave."""
    rows = Identity.objects.filter(user=user).select_related("provider").order_by("created_at")
    return [
        {
            "provider": row.provider.slug, "provider_name": row.provider.name, "subject": row.subject,
            "email": row.email, "email_verified": row.email_verified, "created_at": _when(row.created_at),
            "last_used_at": _when(row.last_used_at),
        }
        for row in rows
    ]


def known_devices(user) -> list:
    # Only a keyed digest of each device is kept (accounts/devices/): its dates are all there is to show.
    return [
        {"first_seen_at": _when(row.first_seen_at), "last_seen_at": _when(row.last_seen_at)}
        for row in KnownDevice.objects.filter(user=user).order_by("first_seen_at")
    ]


def trusted_devices(user) -> list:
    """The browsers that skip the second step: what the owner's list shows, never the digest or fingerprint."""
    rows = TrustedDevice.objects.filter(user=user).order_by("created_at")
    return [
        {
            "created_at": _when(row.created_at), "last_used_at": _when(row.last_used_at),
            "expires_at": _when(row.expires_at), "ip_address": row.ip_address, "user_agent": row.user_agent,
        }
        for row in rows.only("created_at", "last_used_at", "expires_at", "ip_address", "user_agent")
    ]


def administrator_actions(user) -> list:
    """The admin's log of what this account changed there, as staff: when, which action, on what kind of record.

    Not which record: that names other people (their own export is theirs).
    """
    rows = LogEntry.objects.filter(user=user).select_related("content_type").order_by("action_time")
    actions = {1: "added", 2: "changed", 3: "deleted"}
    return [
        {
            "action_time": _when(row.action_time), "action": actions.get(row.action_flag, str(row.action_flag)),
            "record_type": row.content_type.model if row.content_type else None,
        }
        for row in rows
    ]


def connected_apps(user) -> list:
    """The applications the user allowed to sign them in (OpenID consents), with the scopes."""
    consents = OAuthConsent.objects.filter(user=user).select_related("client").order_by("created_at")
    return [
        {"client_id": c.client.client_id, "name": c.client.name, "scopes": c.scopes.split(),
         "agreed_at": _when(c.created_at), "updated_at": _when(c.updated_at)}
        for c in consents
    ]


def mail(user) -> list:
    """Mail to the account's address, by subject and dates: never a body (links with tokens live there)."""
    if not user.email:
        return []
    rows = OutboxMessage.objects.filter(to__iexact=user.email).order_by("created_at")
    return [
        {
            "subject": row.subject, "status": row.status, "created_at": _when(row.created_at),
            "sent_at": _when(row.sent_at),
        }
        for row in rows.only("subject", "status", "created_at", "sent_at")
    ]


# Each relation to the user model ("app_label.Model.field") and where the export shows it.
COVERED = {
    "accounts.RefreshSession.user": "sessions",
    "accounts.OAuthConsent.user": "connected_apps",
    "accounts.SecurityEvent.user": "security_events",
    "accounts.TotpDevice.user": "authenticator_app",
    "accounts.RecoveryCode.user": "recovery_codes",
    "accounts.Passkey.user": "passkeys",
    "accounts.PersonalAccessToken.user": "personal_tokens",
    "accounts.Identity.user": "identities",
    "accounts.KnownDevice.user": "known_devices",
    "accounts.TrustedDevice.user": "trusted_devices",
    "admin.LogEntry.user": "administrator_actions",
}
# Relations to the user model the export leaves out, and why.
LEFT_OUT = {
    "accounts.SecurityEvent.actor": "events about other accounts, done by this one as an administrator; the other "
    "accounts' data (their own export shows each event, marked as done by an administrator)",
    "accounts.MfaChallenge.user": "a login's second step in progress: minutes-long, nothing but digests",
    "accounts.PasskeyChallenge.user": "a passkey ceremony in progress: minutes-long, nothing but digests",
    "accounts.LoginCode.user": "a sign-in code on its way by mail: ten minutes long, nothing but digests",
    "accounts.AuthorizationCode.user": "an OpenID authorization code on its way to an app: a minute long, a digest",
    "accounts.FederationState.user": "a link to another identity provider in progress: ten minutes long, "
    "state, nonce and a sealed verifier",
}


def export(*, user, client=None, session_id=None) -> dict:
    """The document: the format, when it was made, and every section. The download is recorded (an event)."""
    record_event(SecurityEventKind.DATA_EXPORTED, user=user, session_id=session_id, client=client)
    return {
        "format": FORMAT,
        "exported_at": _when(timezone.now()),
        "profile": profile(user),
        "sessions": sessions(user),
        "security_events": security_events(user),
        "authenticator_app": authenticator_app(user),
        "recovery_codes": recovery_codes(user),
        "passkeys": passkeys(user),
        "personal_tokens": personal_tokens(user),
        "identities": identities(user),
        "known_devices": known_devices(user),
        "connected_apps": connected_apps(user),
        "trusted_devices": trusted_devices(user),
        "administrator_actions": administrator_actions(user),
        "mail": mail(user),
    }
