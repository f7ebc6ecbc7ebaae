"""Who may call the staff routes of the API."""
from django.contrib.auth import get_permission_codename, get_user_model
from rest_framework.permissions import BasePermission


def view_user_permission():
    """``<app>.view_<model>`` of the user model: ``accounts.view_user`` here."""
    opts = get_user_model()._meta
    return f"{opts.app_label}.{get_permission_codename('view', opts)}"


class CanViewUsers(BasePermission):
    """Active staff holding the user model's view permission (superusers hold every permission).

    The same rule as the admin's user list: being staff alone opens the admin
    door but no page behind it, so it must not open the API's list of users
    either.
    """

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_active and user.is_staff and user.has_perm(view_user_permission())
        )
