"""How long an admin session lives: until ``ADMIN_SESSION_IDLE_TTL`` unused, or its user is refused."""
from django.contrib.auth import SESSION_KEY
from django.urls import reverse


class AdminSessionPolicyMiddleware:
    """Extend an admin session on each use; end it for good when its user is refused.

    **Idle limit.** ``SESSION_COOKIE_AGE`` is ``ADMIN_SESSION_IDLE_TTL``, so
    every save of a session sets its row's ``expire_date`` that far ahead, and
    the store refuses a row past it on every load, whatever the browser still
    holds. This middleware saves the session of every admin request made by a
    signed-in user, so ``expire_date`` is the last use plus the limit (and the
    cookie's ``Max-Age`` follows). That costs one UPDATE per admin page.

    Why not ``SESSION_SAVE_EVERY_REQUEST``: it saves on *every* request that
    carries the cookie. The browser app's and the API's requests from an
    administrator's browser would then write the row and count as admin use,
    and any request with a made-up ``sessionid`` cookie, to any URL, would
    make Django insert a new empty row: a database write for anyone who asks.
    Here only admin pages count, and only a session that loaded and names a
    user Django still accepts is saved.

    **Ended, not suspended.** Django already flushes a session whose user's
    password changed since login (the session auth hash), and refuses one
    whose user is inactive (``ModelBackend.get_user``), but leaves the latter
    in place: reactivating the user would bring it back. So a session that
    names a user Django no longer returns (deactivated by any means, even a
    queryset ``update()``, or deleted) is flushed here the first time it is
    presented to the admin, and stays dead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request has already read: nothing is loaded here.
        if session is None or not session.accessed or not request.path.startswith(reverse("admin:index")):
            return response
        if SESSION_KEY not in session:
            return response
        if request.user.is_authenticated:
            session.modified = True  # saved by SessionMiddleware: expire_date = now + the idle limit
        else:
            session.flush()
        return response
