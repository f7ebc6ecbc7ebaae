"""Security notices by mail: what happened to an account, told to its owner.

Each notice is queued through the outbox in the caller's transaction, so it
exists exactly when the action it reports committed (a refresh-token reuse
is mailed from inside the rotation's locked transaction). ``MAIL_NOTICES``
lists the ones to send; an account without an address gets none.

A device is named in the recipient's language: ``device_name`` is lazy, so
it is worded when the outbox renders the mail (at queue time, in the
account's saved language), not in the language of the request that caused it.
"""
from django.utils import timezone
from django.utils.functional import lazy

from accounts import conf
from accounts.mail import outbox
from accounts.useragent import in_sentence

# Worded when rendered (accounts.mail.outbox.render: the recipient's language).
device_name = lazy(in_sentence, str)

PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"
EMAIL_CHANGED = "email_changed"
REFRESH_REUSE = "refresh_reuse"
NEW_DEVICE = "new_device"
USERNAME_CHANGED = "username_changed"
ACCOUNT_DELETED = "account_deleted"

_TEMPLATES = {
    PASSWORD_CHANGED: "password_changed_notice",
    PASSWORD_RESET: "password_reset_notice",
    EMAIL_CHANGED: "email_changed_notice",
    REFRESH_REUSE: "refresh_reuse_notice",
    NEW_DEVICE: "new_device_notice",
    USERNAME_CHANGED: "username_changed_notice",
    ACCOUNT_DELETED: "account_deleted_notice",
}


def enabled(kind: str) -> bool:
    return conf.mail_notice_enabled(kind)


def send(kind: str, *, user, to=None, client=None, when=None, **context):
    """Queue the notice ``kind`` for ``user`` (to ``to``, default their address); None when off or nowhere to send."""
    address = user.email if to is None else to
    if not enabled(kind) or not address:
        return None
    context = {
        "user": user,
        "when": when or timezone.now(),
        "ip_address": client.ip_address if client else None,
        "device": device_name(client.user_agent) if client else None,
        "site_url": conf.site_url() or "",
        **context,
    }
    return outbox.enqueue(to=address, template=_TEMPLATES[kind], context=context)


def password_changed(*, user, client):
    return send(PASSWORD_CHANGED, user=user, client=client)


def password_reset(*, user, client, proof="reset_link"):
    """The password was reset (``proof`` "reset_link"), or removed by a first sign-in with a mailed code ("login_code")."""
    return send(PASSWORD_RESET, user=user, client=client, proof=proof)


def email_changed(*, user, old_email, client):
    """To the address the account had: the one an attacker who took the account over cannot read."""
    return send(EMAIL_CHANGED, user=user, to=old_email, client=client, old_email=old_email, new_email=user.email)


def refresh_reuse(*, session, client, when=None):
    """A replaced refresh token was presented again: the session it belonged to has ended."""
    return send(
        REFRESH_REUSE, user=session.user, client=client, when=when,
        session_device=device_name(session.user_agent), session_ip_address=session.ip_address,
        session_created_at=session.created_at,
    )


def new_device(*, user, client, when=None):
    return send(NEW_DEVICE, user=user, client=client, when=when)


def username_changed(*, user, old_username, client):
    return send(USERNAME_CHANGED, user=user, client=client, old_username=old_username, new_username=user.get_username())


def account_deleted(*, user, by_staff, client=None):
    """Queued in the deletion's transaction, before the row goes: the sender needs only the address."""
    return send(ACCOUNT_DELETED, user=user, client=client, by_staff=by_staff)
