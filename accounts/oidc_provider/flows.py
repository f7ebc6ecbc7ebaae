"""The provider's flows, keyword-only, each atomic: decide, exchange a code, refresh, userinfo, revoke.

A grant is a Gatehouse session: the code's exchange opens a
``RefreshSession`` for the user (``ClientGrant`` says whose), so it is in the
device list and the admin, and every way of ending sessions ends it. Its
refresh tokens rotate with the browser's rule (``accounts.sessions.lifecycle``):
the current token advances the chain; the one just replaced, presented again
within the grace window by the same client, gets the current one back; any
other earlier token is a reuse and ends the grant.
"""
import enum
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts import conf
from accounts.models import RefreshSession, RevocationReason
from accounts.oidc_provider import clients, scopes, tokens
from accounts.oidc_provider import hotpath as grant_hotpath
from accounts.oidc_provider.errors import OAuthError, invalid_grant
from accounts.oidc_provider.models import (
    AuthorizationCode,
    ClientGrant,
    OAuthClient,
    OAuthConsent,
)
from accounts.oidc_provider.requests import AuthorizationRequest, response_location
from accounts.sessions import hotpath, lifecycle
from accounts.sessions import tokens as session_tokens
from accounts.webhooks import events as webhooks

CODE_TTL = timedelta(seconds=60)
ID_TOKEN_TTL = 300
SECOND_FACTOR_AMR = frozenset({"otp", "hwk"})


def acr_for(amr) -> str:
    """``acr``, when a client asks: two factors or one."""
    return "urn:gatehouse:acr:2fa" if SECOND_FACTOR_AMR.intersection(amr) else "urn:gatehouse:acr:1fa"


# ---- the authorization decision (the browser app's consent page) ----------------------------------


class Needs(enum.Enum):
    REAUTHENTICATION = "reauthentication"
    CONSENT = "consent"


def needs(*, request: AuthorizationRequest, client: OAuthClient, user, session: RefreshSession, now=None):
    """What stands between this signed-in user and a code: None, or a ``Needs``."""
    now = now or timezone.now()
    authenticated = int(session.authenticated_at.timestamp())
    # An authentication made since the request was issued is what prompt=login and max_age ask for: were it
    # held to max_age too, max_age=0 (OpenID Connect Core 3.1.2.1: prompt=login) could never be met.
    fresh = authenticated >= request.issued_at
    if "login" in request.prompt.split() and not fresh:
        return Needs.REAUTHENTICATION
    if request.max_age is not None and now.timestamp() - authenticated > request.max_age and not fresh:
        return Needs.REAUTHENTICATION
    if "consent" in request.prompt.split():
        return Needs.CONSENT
    if client.trusted:
        return None
    consent = OAuthConsent.objects.filter(user=user, client=client).first()
    if consent is None or not set(request.scope_list()) <= consent.scope_set:
        return Needs.CONSENT
    return None


def deny(*, request: AuthorizationRequest) -> str:
    """The user refused: ``access_denied`` back to the client."""
    return request.error("access_denied", "The user did not allow this application.").location()


def allow(*, request: AuthorizationRequest, client: OAuthClient, user, session: RefreshSession,
          consented: bool) -> str:
    """Issue a code for a signed-in user who may have it now; returns the location to send the browser to.

    ``consented``: the user has just said yes on the consent page (the
    scopes are remembered, and only more of them asks again).
    """
    code = tokens.new_code()
    now = timezone.now()
    with transaction.atomic():
        if consented:
            consent, created = OAuthConsent.objects.select_for_update().get_or_create(
                user=user, client=client, defaults={"scopes": request.scopes, "created_at": now, "updated_at": now}
            )
            if not created:
                consent.scopes = scopes.normalized(consent.scope_set | set(request.scope_list()))
                consent.updated_at = now
                consent.save(update_fields=["scopes", "updated_at"])
        AuthorizationCode.objects.create(
            digest=tokens.digest(code), client=client, user=user, browser_session_id=session.id,
            redirect_uri=request.redirect_uri, scopes=request.scopes, nonce=request.nonce,
            code_challenge=request.code_challenge, acr_requested=request.acr_requested,
            auth_time=session.authenticated_at, amr=session.amr, created_at=now, expires_at=now + CODE_TTL,
        )
    return response_location(request.redirect_uri, {"code": code, "state": request.state})


# ---- the token endpoint --------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    expires_in: int
    scope: str
    id_token: str | None = None
    refresh_token: str | None = None

    def body(self) -> dict:
        body = {"access_token": self.access_token, "token_type": "Bearer", "expires_in": self.expires_in,
                "scope": self.scope}
        if self.id_token:
            body["id_token"] = self.id_token
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


def exchange_code(*, client: OAuthClient, code, redirect_uri, code_verifier, client_info) -> TokenResponse:
    """``grant_type=authorization_code``: one use per code; a second use ends what the first opened."""
    if not isinstance(code, str) or not code or len(code) > 100:
        raise invalid_grant()
    now = timezone.now()
    reused = None
    with transaction.atomic():
        row = (AuthorizationCode.objects.select_for_update().select_related("user")
               .filter(digest=tokens.digest(code)).first())
        if row is None or row.client_id != client.pk:
            raise invalid_grant()
        if row.used_at is not None:
            reused = row.grant_session_id
        else:
            if row.expires_at <= now:
                raise invalid_grant("The code has expired.")
            if redirect_uri != row.redirect_uri:
                raise invalid_grant("The redirect_uri differs from the authorization request's.")
            if not tokens.pkce_matches(code_verifier, row.code_challenge):
                raise invalid_grant("The PKCE code_verifier does not match the code_challenge.")
            browser = RefreshSession.objects.select_related("user").filter(pk=row.browser_session_id).first()
            user = row.user
            if (browser is None or not browser.is_active(now) or not user.is_active
                    or not constant_time_compare(browser.password_fingerprint, user.get_session_auth_hash())):
                raise invalid_grant("The sign-in this code came from has ended.")
            session, grant = _open_grant(row=row, client=client, user=user, browser=browser, now=now,
                                         client_info=client_info)
            row.used_at, row.grant_session = now, session
            row.save(update_fields=["used_at", "grant_session"])
    if reused is not None:
        # RFC 6749 §4.1.2: a code used twice revokes what it issued (it was stolen, or the client is confused).
        session = RefreshSession.objects.filter(pk=reused).select_related("user").first()
        if session is not None:
            lifecycle.revoke_session(session=session, reason=RevocationReason.REUSE_DETECTED)
        raise invalid_grant()
    return _token_response(session=session, grant=grant, client=client, nonce=row.nonce,
                           acr_requested=row.acr_requested, with_id_token=True)


def _open_grant(*, row, client, user, browser, now, client_info):
    offline = scopes.OFFLINE_ACCESS in row.scopes.split() and client.allow_offline_access
    absolute = min(now + conf.absolute_ttl(), browser.absolute_expires_at) if not offline else now + conf.absolute_ttl()
    session = RefreshSession(
        user=user, token_seed=session_tokens.new_seed(), password_fingerprint=user.get_session_auth_hash(),
        created_at=now, last_used_at=now, expires_at=min(now + conf.idle_ttl(), absolute),
        absolute_expires_at=absolute, ip_address=client_info.ip_address, last_ip_address=client_info.ip_address,
        user_agent=f"{client.name} (app)"[:512], persistent=True, authenticated_at=row.auth_time, amr=row.amr,
    )
    session.save(force_insert=True)
    grant = ClientGrant.objects.create(
        session=session, client=client, scopes=row.scopes, browser_session_id=browser.id, offline=offline
    )
    webhooks.emit("session.created", webhooks.session_data(user.pk, session.id, methods=row.amr.split(),
                                                           client_id=client.client_id))
    return session, grant


def _token_response(*, session, grant, client, nonce="", acr_requested=False, with_id_token=False):
    ttl = int(conf.access_token_ttl().total_seconds())
    access = tokens.access_token_for(session_id=session.id, expires_at=int(time.time()) + ttl, seed=session.token_seed)
    refresh = None
    if grant.offline:
        refresh = tokens.refresh_token_for(session_id=session.id, generation=session.generation,
                                           seed=session.token_seed)
    id_token = None
    if with_id_token:
        amr = session.amr.split()
        id_token = tokens.id_token(
            user=session.user, client_id=client.client_id, session_id=session.id,
            auth_time=int(session.authenticated_at.timestamp()), amr=amr, nonce=nonce,
            acr=acr_for(amr) if acr_requested else None, access_token=access, lifetime=ID_TOKEN_TTL,
        )
    return TokenResponse(access_token=access, expires_in=ttl, scope=grant.scopes, id_token=id_token,
                         refresh_token=refresh)


class _Outcome(enum.Enum):
    ROTATE = "rotate"
    REPEAT_CURRENT = "repeat_current"
    REUSE = "reuse"
    REJECT = "reject"


def refresh(*, presented: clients.Credentials, refresh_token, scope="", admit=None) -> TokenResponse:
    """``grant_type=refresh_token``, with the browser's rotation rule; the grace window for the same client only.

    The browser's statements (the session and its user, row-locked; the
    rotation's UPDATE) and one more for the grant and its client, whose
    credentials are checked from that row, all precompiled.
    ``admit(client)`` runs once the client is authenticated (the per-client
    throttle), before anything is written.
    """
    parsed = tokens.parse(refresh_token)
    now = timezone.now()
    with transaction.atomic():
        grant = session = None
        if parsed is not None and parsed.kind == "refresh":
            session = hotpath.locked_session(parsed.session_id)
            grant = grant_hotpath.grant_with_client(parsed.session_id) if session is not None else None
        if grant is not None and grant.client.client_id == presented.client_id:
            client = clients.verify(presented, grant.client)
        else:
            client = clients.authenticate(presented)
        if admit is not None:
            admit(client)
        if parsed is None or parsed.kind != "refresh":
            raise invalid_grant()
        outcome = _classify(session, grant, parsed, client, now)
        if outcome in (_Outcome.ROTATE, _Outcome.REPEAT_CURRENT) and not _within(scope, grant):
            # Before the rotation: a refused request must leave the client's token as it was.
            raise OAuthError("invalid_scope", "A refresh cannot widen the scopes.")
        if outcome is _Outcome.ROTATE:
            session.generation += 1
            session.rotated_at = session.last_used_at = now
            session.expires_at = min(now + conf.idle_ttl(), session.absolute_expires_at)
            session.rotated_by_client = tokens.client_digest(client.client_id)
            hotpath.save_rotation(session)
    if outcome is _Outcome.REUSE:
        lifecycle.revoke_session(session=session, reason=RevocationReason.REUSE_DETECTED)
    if outcome in (_Outcome.REJECT, _Outcome.REUSE):
        raise invalid_grant()
    return _token_response(session=session, grant=grant, client=client)


def _within(scope, grant) -> bool:
    """Whether a refresh's ``scope`` (blank: the grant's) asks for nothing beyond what ``grant`` holds."""
    return not scope or set(scopes.parse(scope)) <= set(grant.scopes.split())


def _classify(session, grant, parsed, client, now) -> _Outcome:
    if session is None or grant is None or not grant.offline or not tokens.is_authentic(parsed, session.token_seed):
        return _Outcome.REJECT
    if not session.is_active(now) or not session.user.is_active:
        return _Outcome.REJECT
    if not constant_time_compare(session.password_fingerprint, session.user.get_session_auth_hash()):
        return _Outcome.REJECT
    if grant.client_id != client.pk:
        return _Outcome.REUSE  # client A's token in B's hands was stolen: the grant ends
    if parsed.number == session.generation:
        return _Outcome.ROTATE
    just_replaced = parsed.number == session.generation - 1
    within_grace = just_replaced and session.rotated_at and now - session.rotated_at <= conf.grace()
    if within_grace and constant_time_compare(session.rotated_by_client, tokens.client_digest(client.client_id)):
        return _Outcome.REPEAT_CURRENT
    return _Outcome.REUSE


# ---- userinfo and revocation ---------------------------------------------------------------------


def grant_for_access_token(raw):
    """(grant, session, user) of a live access token; None for anything else (expired, ended, forged)."""
    parsed = tokens.parse(raw)
    if parsed is None or parsed.kind != "access" or parsed.number < time.time():
        return None
    grant = (ClientGrant.objects.select_related("session", "session__user", "client")
             .filter(pk=parsed.session_id).first())
    if grant is None:
        return None
    session, user = grant.session, grant.session.user
    if not tokens.is_authentic(parsed, session.token_seed) or not session.is_active() or not user.is_active:
        return None
    if not grant.client.active:
        return None
    if not constant_time_compare(session.password_fingerprint, user.get_session_auth_hash()):
        return None
    return grant, session, user


def userinfo(*, grant, user) -> dict:
    granted = set(grant.scopes.split())
    claims = {"sub": str(user.pk)}
    if scopes.PROFILE in granted:
        name = f"{user.first_name} {user.last_name}".strip()
        claims.update(preferred_username=user.username, name=name or user.username,
                      given_name=user.first_name, family_name=user.last_name)
    if scopes.EMAIL in granted and user.email:
        claims.update(email=user.email, email_verified=user.email_verified_at is not None)
    return claims


def revoke(*, client: OAuthClient, token) -> None:
    """RFC 7009: either token of a grant ends the whole grant (its session). Unknown tokens are ignored."""
    parsed = tokens.parse(token)
    if parsed is None:
        return
    grant = ClientGrant.objects.select_related("session", "session__user").filter(pk=parsed.session_id).first()
    if grant is None or not tokens.is_authentic(parsed, grant.session.token_seed):
        return
    if grant.client_id != client.pk:
        raise OAuthError("unauthorized_client", "This token was not issued to this client.")
    lifecycle.revoke_session(session=grant.session, reason=RevocationReason.USER_REVOKED)


def end_app_access(*, user, client: OAuthClient, actor=None) -> int:
    """The user (or an administrator) takes an application's access away: its grants end, the consent goes."""
    with transaction.atomic():
        OAuthConsent.objects.filter(user=user, client=client).delete()
        sessions = RefreshSession.objects.filter(user=user, client_grant__client=client)
        return lifecycle.revoke_sessions(sessions=sessions, reason=RevocationReason.USER_REVOKED, actor=actor)


def connected_apps(*, user) -> list[dict]:
    """The applications with access to the account: a consent, or a live grant (a trusted client)."""
    now = timezone.now()
    apps = {}
    for consent in OAuthConsent.objects.filter(user=user).select_related("client"):
        apps[consent.client_id] = {"client": consent.client, "scopes": consent.scope_set, "since": consent.created_at,
                                   "last_used": None, "sessions": 0}
    live = (ClientGrant.objects.filter(session__user=user, session__revoked_at__isnull=True,
                                       session__expires_at__gt=now).select_related("client", "session"))
    for grant in live:
        entry = apps.setdefault(grant.client_id, {"client": grant.client, "scopes": set(), "since":
                                                  grant.session.created_at, "last_used": None, "sessions": 0})
        entry["scopes"] |= set(grant.scopes.split())
        entry["sessions"] += 1
        last = grant.session.last_used_at
        entry["last_used"] = max(filter(None, [entry["last_used"], last]))
    return [
        {"client_id": entry["client"].client_id, "name": entry["client"].name,
         "scopes": scopes.described(entry["scopes"]), "since": entry["since"], "last_used": entry["last_used"],
         "active_sessions": entry["sessions"]}
        for entry in sorted(apps.values(), key=lambda item: item["client"].name.lower())
    ]
