"""The token cookies: HttpOnly, SameSite=Strict, Secure unless configured off.

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
        name, value, max_age=max_age, path=path, secure=conf.cookie_secure(), httponly=True, samesite="Strict"
    )


def _clear(response, name, path):
    response.delete_cookie(name, path=path, samesite="Strict")
    # delete_cookie sets Secure only for __Secure- names; keep the attributes identical.
    response.cookies[name]["secure"] = conf.cookie_secure()
    response.cookies[name]["httponly"] = True
