"""The token cookies: HttpOnly, Secure unless configured off, SameSite and Domain as configured.

``REFRESH_COOKIE_SAMESITE`` is ``Strict`` (which a browser app on another
origin of the same site already receives) or ``Lax``; ``REFRESH_COOKIE_DOMAIN``
is unset (host-only) unless the cookies must reach a sibling host. Setting and
clearing use the same attributes, or the browser keeps the old cookie.

``refresh_token`` (scoped to /api/auth/) carries the refresh token. With
``ACCESS_TOKEN_BINDING=cookie``, ``access_binding`` (scoped to /api/) carries
the value whose hash each access token holds. ``trusted_device`` (scoped
to /api/auth/, for ``MFA_TRUST_DAYS``) lets this browser skip the second
step of the account that trusted it (``accounts.devices.trusted``).
"""
from accounts import conf
from accounts.devices import trusted
from accounts.sessions.authentication import BINDING_COOKIE, binding_cookie  # noqa: F401  (named with its check)

BINDING_PATH = "/api/"


def set_token_cookies(response, issued):
    max_age = issued.refresh_max_age()
    _set(response, conf.cookie_name(), issued.refresh, max_age, conf.cookie_path())
    if issued.binding:
        _set(response, BINDING_COOKIE, issued.binding, max_age, BINDING_PATH)
    if issued.trusted_device:
        _set(
            response, trusted.COOKIE, issued.trusted_device, int(trusted.lifetime().total_seconds()),
            conf.cookie_path(),
        )


def clear_token_cookies(response):
    _clear(response, conf.cookie_name(), conf.cookie_path())
    if conf.access_token_binding():
        _clear(response, BINDING_COOKIE, BINDING_PATH)


def trusted_device_cookie(request):
    return request.COOKIES.get(trusted.COOKIE)


def refresh_cookie(request):
    return request.COOKIES.get(conf.cookie_name())


def _set(response, name, value, max_age, path):
    response.set_cookie(
        name, value, max_age=max_age, path=path, domain=conf.cookie_domain(), secure=conf.cookie_secure(),
        httponly=True, samesite=conf.cookie_samesite(),
    )


def clear_cookie(response, name, path):
    """Expire a token cookie with the attributes it was set with."""
    _clear(response, name, path)


def _clear(response, name, path):
    response.delete_cookie(name, path=path, domain=conf.cookie_domain(), samesite=conf.cookie_samesite())
    # delete_cookie sets Secure only for __Secure- names; keep the attributes identical.
    response.cookies[name]["secure"] = conf.cookie_secure()
    response.cookies[name]["httponly"] = True
