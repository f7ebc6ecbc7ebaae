"""Who must have a second factor (``MFA_REQUIRED``), and the one check that holds a session to enrolment.

An account in scope (``staff``: staff and superusers; ``all``: everyone)
with no second factor still signs in, but its session can only enrol:
every API route answers 403 ``mfa_enrollment_required`` except those that
say ``open_before_enrolment = True`` (``me``, the factor-enrolment routes,
re-authentication; login, refresh and logout take no bearer at all).

The check runs in the bearer authentication classes, not in a permission:
a view that sets its own ``permission_classes`` would silently drop a
default permission, while every view that authenticates a user goes
through authentication, so a route added tomorrow is closed unless it opts
in. It reads ``user.mfa_enabled`` from the row the authentication loaded
anyway (no query, and no claim in the token): a factor enrolled a moment
ago lifts it on the very next request, without a new login.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied

from accounts import conf

NONE, STAFF, ALL = "none", "staff", "all"


class EnrolmentRequired(PermissionDenied):
    default_detail = _("Your account needs a second factor: set up an authenticator app or a passkey first.")
    default_code = "mfa_enrollment_required"


def in_scope(user) -> bool:
    """Whether ``MFA_REQUIRED`` asks ``user`` for a second factor."""
    required = conf.mfa_required()
    if required == ALL:
        return True
    return required == STAFF and bool(user.is_staff or user.is_superuser)


def enrolment_required(user) -> bool:
    """Whether ``user`` is in scope and has no second factor yet."""
    return not user.mfa_enabled and in_scope(user)


def view_open_before_enrolment(view, method=None) -> bool:
    """Whether ``view`` serves a session held to enrolment: ``open_before_enrolment`` True, or a set of methods.

    ``method`` defaults to the request's (a view being dispatched has one).
    """
    declared = getattr(view, "open_before_enrolment", False)
    if isinstance(declared, (set, frozenset, tuple)):
        method = method or getattr(getattr(view, "request", None), "method", None)
        return method is not None and method.upper() in declared
    return declared is True


def check_session(*, user, view) -> None:
    """A session's request: ``EnrolmentRequired`` unless ``user`` is enrolled or ``view`` serves enrolment."""
    if enrolment_required(user) and not view_open_before_enrolment(view):
        raise EnrolmentRequired()


def check_personal_token(*, user) -> None:
    """A personal access token of an account that must enrol is refused everywhere: a script cannot enrol."""
    if enrolment_required(user):
        raise EnrolmentRequired()
