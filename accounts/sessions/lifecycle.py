"""The session and token lifecycle: issue, rotate, validate, revoke.

Plain functions, keyword-only, each atomic. Views translate HTTP into these
calls; the admin and signals call the same functions, so every way of ending
a session behaves and is audited the same.
"""
import enum
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts import conf
from accounts.audit import new_event, record_event
from accounts.mail import notices
from accounts.models import RefreshSession, RevocationReason, SecurityEvent, SecurityEventKind
from accounts.sessions import hotpath, live_sessions, tokens
from accounts.sessions.jwt_keys import GatehouseAccessToken
from accounts.webhooks import events as webhooks


# Sent inside the transaction that ended sessions, by every way of ending them:
# ``user_id``, ``session_ids`` (None: every session of the user but
# ``kept_session_id``) and ``reason``. What hangs on a session (an app's grant
# made from it, a back-channel logout) ends in the same transaction.
sessions_ended = Signal()


class RefreshRejected(Exception):
    """The refresh token is missing, unknown, expired, revoked or reused.

    Deliberately one exception: the client gets one answer for all of them.
    """


class UserGone(Exception):
    """The account was deleted or deactivated between the credential check and the session's start."""


@dataclass(frozen=True)
class IssuedTokens:
    session: RefreshSession
    access: str
    refresh: str
    binding: str | None = None  # the access-token binding cookie's value, when binding is on
    trusted_device: str | None = None  # the trusted-device cookie's value, when this sign-in trusted the browser

    @property
    def expires_in(self) -> int:
        return int(conf.access_token_ttl().total_seconds())

    def refresh_max_age(self, now=None) -> int | None:
        """Seconds the session has left: the refresh cookie's Max-Age (None: a browser-session cookie)."""
        if not self.session.persistent:
            return None
        now = now or timezone.now()
        return max(0, int((self.session.expires_at - now).total_seconds()))


class _Outcome(enum.Enum):
    ROTATE = "rotate"
    REPEAT_CURRENT = "repeat_current"
    REUSE = "reuse"
    REJECT = "reject"


def start_session(*, user, client, remember=True, methods=("pwd",)) -> IssuedTokens:
    """Open a new session for an authenticated user (a login).

    ``remember=False`` ("keep me signed in" unchecked): the refresh cookie
    lasts as long as the browser session, and the session itself at most
    ``REFRESH_TOKEN_SHORT_TTL``.
    """
    now = timezone.now()
    absolute_expiry = now + (conf.absolute_ttl() if remember else conf.short_ttl())
    session = RefreshSession(
        user=user,
        token_seed=tokens.new_seed(),
        password_fingerprint=user.get_session_auth_hash(),
        created_at=now,
        last_used_at=now,
        expires_at=min(now + conf.idle_ttl(), absolute_expiry),
        absolute_expires_at=absolute_expiry,
        ip_address=client.ip_address,
        last_ip_address=client.ip_address,
        user_agent=client.user_agent,
        persistent=remember,
        authenticated_at=now,
        amr=" ".join(methods),
    )
    event = new_event(SecurityEventKind.LOGIN_SUCCEEDED, user=user, session_id=session.id, client=client, now=now)
    # The session, its login event and the user's last_login: all three or none.
    with transaction.atomic():
        # The user's row first: its lock orders this login against a deletion
        # of the account (accounts/account/deletion.py locks it too), so a
        # login whose credential was checked just before the account went
        # finds no row and opens no session.
        if not get_user_model().objects.filter(pk=user.pk, is_active=True).update(last_login=now):
            raise UserGone
        session.save(force_insert=True)
        event.save(force_insert=True)
        webhooks.emit("session.created", webhooks.session_data(user.pk, session.id, methods=list(methods)))
    user.last_login = now
    return _issue(session)


def rotate(*, refresh_token, client) -> IssuedTokens:
    """Exchange a refresh token for a new access token and the next refresh token.

    The row lock serialises concurrent refreshes of one session: the first
    advances the chain, the others find their token just replaced and, within
    the grace window and from the client that rotated, get the current token
    again. From any other client the token just replaced is a reuse: whoever
    holds a copy of a token must not get its successor by being quick.
    """
    parsed = tokens.parse(refresh_token)
    if parsed is None:
        raise RefreshRejected
    now = timezone.now()
    with transaction.atomic():
        session = _locked_session(parsed.session_id)
        outcome = _classify(session, parsed, now, client)
        if outcome is _Outcome.ROTATE:
            # Recorded on the session row (generation, last use, last IP), not
            # as an event: a row per user every few minutes would bury the
            # events that matter.
            _advance(session, now=now, client=client)
        elif outcome is _Outcome.REPEAT_CURRENT:
            _count_grace_answer(session, now=now)
        elif outcome is _Outcome.REUSE:
            _mark_revoked(session, reason=RevocationReason.REUSE_DETECTED, now=now)
            record_event(
                SecurityEventKind.REUSE_DETECTED, user=session.user, session_id=session.id,
                reason=RevocationReason.REUSE_DETECTED, client=client,
            )
            # Mailed from inside this transaction: the notice exists exactly when the revocation does.
            notices.refresh_reuse(session=session, client=client, when=now)
    if outcome in (_Outcome.REJECT, _Outcome.REUSE):
        raise RefreshRejected
    return _issue(session)


def end_session_by_refresh_token(*, refresh_token, client) -> None:
    """Log out: revoke the session a refresh token belongs to, if it is genuine."""
    parsed = tokens.parse(refresh_token)
    if parsed is None:
        return
    with transaction.atomic():
        session = _locked_session(parsed.session_id)
        if session is None or not tokens.is_authentic(parsed, session.token_seed):
            return
        if session.revoked_at is None:
            _mark_revoked(session, reason=RevocationReason.LOGOUT, now=timezone.now())
            record_event(
                SecurityEventKind.LOGOUT, user=session.user, session_id=session.id,
                reason=RevocationReason.LOGOUT, client=client,
            )


def revoke_session(*, session, reason, actor=None, client=None) -> bool:
    """Revoke one session; returns False when it had already ended."""
    now = timezone.now()
    with transaction.atomic():
        revoked = (
            RefreshSession.objects.active(now).filter(pk=session.pk).update(revoked_at=now, revoked_reason=reason)
        )
        transaction.on_commit(lambda: live_sessions.forget_session(session.pk))
        if revoked:
            session.revoked_at, session.revoked_reason = now, reason
            record_event(
                SecurityEventKind.SESSION_REVOKED, user=session.user, session_id=session.id,
                actor=actor, reason=reason, client=client,
            )
            webhooks.session_revoked(session.user_id, session.id, reason=reason)
            sessions_ended.send(sender=RefreshSession, user_id=session.user_id, session_ids=[session.id], reason=reason)
    return bool(revoked)


def revoke_sessions(*, sessions, reason, actor=None, client=None, batch_size=1000) -> int:
    """Revoke every active session of the queryset ``sessions`` (the admin's action); returns how many.

    ``revoke_session`` for many at once: each batch is one transaction with
    one UPDATE and one INSERT of its security events (one per session, as
    ``revoke_session`` records them), instead of a transaction per session.
    """
    now = timezone.now()
    active = sessions.model.objects.active(now).filter(pk__in=sessions.values("pk")).order_by("pk")
    revoked = 0
    while True:
        with transaction.atomic():
            batch = list(
                active.select_for_update(of=("self",)).values_list("pk", "user_id", "user__username")[:batch_size]
            )
            if not batch:
                return revoked
            ids = [pk for pk, _, _ in batch]
            revoked += RefreshSession.objects.filter(pk__in=ids).update(revoked_at=now, revoked_reason=reason)
            events = []
            for pk, user_id, username in batch:
                event = new_event(SecurityEventKind.SESSION_REVOKED, username=username, session_id=pk,
                                  actor=actor, reason=reason, client=client, now=now)
                event.user_id = user_id
                events.append(event)
            SecurityEvent.objects.bulk_create(events)
            webhooks.emit_each("session.revoked", (webhooks.session_data(u, pk, reason=reason) for pk, u, _ in batch))
            transaction.on_commit(lambda ids=ids: [live_sessions.forget_session(pk) for pk in ids])
            for user_id in {user_id for _, user_id, _ in batch}:
                sessions_ended.send(
                    sender=RefreshSession, user_id=user_id, reason=reason,
                    session_ids=[pk for pk, owner, _ in batch if owner == user_id],
                )


def revoke_user_sessions(*, user, reason, actor=None, client=None, keep_session_id=None) -> int:
    """Revoke every active session of a user but ``keep_session_id``; returns how many."""
    now = timezone.now()
    sessions = RefreshSession.objects.active(now).filter(user=user)
    if keep_session_id is not None:
        sessions = sessions.exclude(pk=keep_session_id)
    with transaction.atomic():
        revoked = sessions.update(revoked_at=now, revoked_reason=reason)
        transaction.on_commit(lambda: live_sessions.forget_user(user.pk))
        if revoked:
            record_event(
                SecurityEventKind.SESSION_REVOKED, user=user, actor=actor, reason=reason, client=client,
            )
            webhooks.session_revoked(user.pk, reason=reason, kept_session_id=keep_session_id)
            sessions_ended.send(
                sender=RefreshSession, user_id=user.pk, session_ids=None, reason=reason,
                kept_session_id=keep_session_id,
            )
    return revoked


def user_for_access_token(*, session_id, user_id):
    """The active user of a live session opened with their current password, in one query; None otherwise.

    Checking the session on every request is what makes logout, revocation
    and deactivation cut access tokens at once, not when they expire.
    """
    identity = access_identity(session_id=session_id, user_id=user_id)
    if identity is None:
        return None
    session_uuid, user_pk = identity
    return user_for_session(session_id=session_uuid, user_pk=user_pk)


def access_identity(*, session_id, user_id):
    """(session UUID, user primary key) from an access token's claims; None if no session could match them."""
    User = get_user_model()
    try:
        session_uuid = uuid.UUID(str(session_id))
        well_typed = isinstance(user_id, (str, int)) and not isinstance(user_id, bool)
        user_pk = User._meta.pk.to_python(user_id) if well_typed else None
    except (ValueError, ValidationError):
        return None
    if user_pk is None or not _in_pk_range(User, user_pk):
        return None
    return session_uuid, user_pk


def user_for_session(*, session_id: uuid.UUID, user_pk, remembered=True):
    """The active user of the live session ``session_id``, opened with their current password; None otherwise.

    ``user_for_access_token`` for claims already parsed by ``access_identity``:
    authentication parses a token's claims once and remembers them with it.
    ``remembered=False`` always asks the database, never this process's
    memory of live sessions (introspection: other services' last word).
    """
    now = timezone.now()
    memory = live_sessions.memory() if remembered else None
    if memory is not None:
        user = memory.user(session_id=session_id, user_pk=user_pk, now=now)
        if user is not None:
            return user
        epoch = memory.epoch()  # before the query: a change notified meanwhile voids its answer
    found = hotpath.live_session_user(session_id=session_id, user_pk=user_pk, now=now)
    if found is None:
        return None
    user, password_fingerprint, expires_at = found
    if not constant_time_compare(password_fingerprint, user.get_session_auth_hash()):
        return None  # the password changed since this session began
    if memory is not None:
        memory.remember(session_id=session_id, user=user, expires_at=expires_at, epoch=epoch)
    return user


def _in_pk_range(User, user_pk) -> bool:
    # The ORM answers an out-of-range integer lookup with "no match"; raw SQL
    # would hand the number to the driver (SQLite: OverflowError, a 500).
    if not isinstance(user_pk, int):
        return True
    low, high = connection.ops.integer_field_range(User._meta.pk.get_internal_type())
    return (low is None or user_pk >= low) and (high is None or user_pk <= high)


def _locked_session(session_id) -> RefreshSession | None:
    # SELECT … FOR UPDATE OF the session (where the database has row locks), with its user.
    return hotpath.locked_session(session_id)


def _classify(session, parsed, now, client) -> _Outcome:
    if session is None or not tokens.is_authentic(parsed, session.token_seed):
        return _Outcome.REJECT
    if not session.is_active(now) or not session.user.is_active or not _password_unchanged(session, session.user):
        return _Outcome.REJECT
    if parsed.generation == session.generation:
        return _Outcome.ROTATE
    just_replaced = parsed.generation == session.generation - 1
    within_grace = just_replaced and session.rotated_at and now - session.rotated_at <= conf.grace()
    if within_grace and tokens.is_same_client(session.rotated_by_client, client):
        return _Outcome.REPEAT_CURRENT
    return _Outcome.REUSE


def _password_unchanged(session, user) -> bool:
    return constant_time_compare(session.password_fingerprint, user.get_session_auth_hash())


def _advance(session, *, now, client) -> None:
    session.generation += 1
    session.rotated_at = now
    session.last_used_at = now
    session.expires_at = min(now + conf.idle_ttl(), session.absolute_expires_at)
    session.last_ip_address = client.ip_address
    session.rotated_by_client = tokens.client_digest(client)
    hotpath.save_rotation(session)


def _count_grace_answer(session, *, now) -> None:
    # One UPDATE under the row lock: how often, and when last, the token just
    # replaced was answered (a client that keeps coming back is worth a look).
    session.grace_answers += 1
    session.last_grace_at = now
    session.save(update_fields=["grace_answers", "last_grace_at"])


def _mark_revoked(session, *, reason, now) -> None:
    session.revoked_at = now
    session.revoked_reason = reason
    session.save(update_fields=["revoked_at", "revoked_reason"])
    webhooks.session_revoked(session.user_id, session.id, reason=reason)
    sessions_ended.send(sender=RefreshSession, user_id=session.user_id, session_ids=[session.id], reason=reason)


def reauthenticate(*, session_id, methods) -> IssuedTokens | None:
    """Record a fresh authentication of one live session; its next access tokens carry the new ``auth_time``.

    Only this session: a re-authentication on one device proves nothing about
    the others. None when the session has ended meanwhile.
    """
    now = timezone.now()
    with transaction.atomic():
        session = _locked_session(session_id)
        if session is None or not session.is_active(now):
            return None
        session.authenticated_at = now
        session.amr = " ".join(dict.fromkeys(methods))
        session.save(update_fields=["authenticated_at", "amr"])
    return _issue(session)


def _issue(session) -> IssuedTokens:
    access = GatehouseAccessToken.for_user(session.user)
    access["sid"] = str(session.id)
    access["auth_time"] = int(session.authenticated_at.timestamp())
    access["amr"] = session.amr.split()
    access["sub"] = str(session.user.pk)  # RFC 7519's subject; iss and aud are added when signing (jwt_keys)
    binding = None
    if conf.access_token_binding():
        binding = tokens.binding_secret_for(session_id=session.id, seed=session.token_seed)
        access["bnd"] = tokens.binding_claim_for(binding)
    refresh = tokens.refresh_token_for(session_id=session.id, generation=session.generation, seed=session.token_seed)
    return IssuedTokens(session=session, access=str(access), refresh=refresh, binding=binding)
