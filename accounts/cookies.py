"""The refresh-token cookie: HttpOnly, SameSite=Strict, scoped to /api/auth/."""
from accounts import conf


def set_refresh_cookie(response, issued):
    response.set_cookie(
        conf.cookie_name(),
        issued.refresh,
        max_age=issued.refresh_max_age(),
        path=conf.cookie_path(),
        secure=conf.cookie_secure(),
        httponly=True,
        samesite="Strict",
    )


def clear_refresh_cookie(response):
    response.delete_cookie(conf.cookie_name(), path=conf.cookie_path(), samesite="Strict")
    # delete_cookie sets Secure only for __Secure- names; keep the attributes identical.
    response.cookies[conf.cookie_name()]["secure"] = conf.cookie_secure()
    response.cookies[conf.cookie_name()]["httponly"] = True


def refresh_cookie(request):
    return request.COOKIES.get(conf.cookie_name())
