"""Users: Django's UserAdmin plus active sessions and the revoke actions."""
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import ngettext

from accounts.admin.common import (
    REVOKE_PERMISSION,
    AllowedLookupsMixin,
    User,
    changelist_url,
)
from accounts.admin.passkeys import passkey_count, passkeys_table
from accounts.admin.sessions import SessionColumnsMixin
from accounts.limits.net import client_info
from accounts.models import RefreshSession, RevocationReason
from accounts.sessions import lifecycle

_INLINE_SESSIONS_MAX = 50


class ActiveSessionInline(SessionColumnsMixin, admin.TabularInline):
    """The user's active sessions, most recently used first, read-only."""

    model = RefreshSession
    fk_name = "user"
    verbose_name = "active session"
    verbose_name_plural = f"active sessions (the {_INLINE_SESSIONS_MAX} most recently used)"
    fields = (
        "short_id", "status", "created_at", "last_used_at", "expires_at", "ip_address", "last_ip_address",
        "short_user_agent",
    )
    readonly_fields = fields
    exclude = ("token_seed",)
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        active = super().get_queryset(request).active().defer("token_seed")
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if object_id is None:
            return active.none()
        # Bounded: a user with thousands of sessions still gets a page that loads.
        newest = active.filter(user_id=object_id).order_by("-last_used_at").values("pk")[:_INLINE_SESSIONS_MAX]
        return active.filter(pk__in=newest).order_by("-last_used_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _active_session_count():
    """Per-row correlated count over the (user, revoked_at, expires_at) index.

    A subquery rather than ``Count`` over a join: the changelist's own count
    query drops it, and the database computes it for the page's rows only.
    """
    live = (
        RefreshSession.objects.active()
        .filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(live, output_field=IntegerField()), Value(0))


class UserCreationForm(AdminUserCreationForm):
    """Django's form for ``accounts.User``; ``User.clean`` refuses a name that is taken in canonical form."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class GatehouseUserAdmin(AllowedLookupsMixin, UserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("email_verified_at", "passkeys")
    fieldsets = (
        *UserAdmin.fieldsets[:1],
        ("Personal info", {"fields": ("first_name", "last_name", "email", "email_verified_at")}),
        *UserAdmin.fieldsets[2:],
        ("Passkeys", {"fields": ("passkeys",)}),
    )
    list_display = (*UserAdmin.list_display, "is_active", "active_sessions", "passkey_count")
    # UserAdmin's list_filter: is_staff, is_superuser, is_active, groups.
    allowed_lookups = frozenset({
        "is_staff__exact", "is_staff__isnull",
        "is_superuser__exact", "is_superuser__isnull",
        "is_active__exact", "is_active__isnull",
        "groups__id__exact", "groups__isnull",
    })
    inlines = [ActiveSessionInline]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["revoke_all_sessions", "deactivate_and_revoke_sessions"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            active_sessions=_active_session_count(), passkey_count=passkey_count()
        )

    def get_inline_instances(self, request, obj=None):
        # A user being added has no sessions yet.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def has_revoke_permission(self, request):
        return request.user.has_perm(REVOKE_PERMISSION)

    def has_deactivate_permission(self, request):
        # Both: it changes the user and ends their sessions.
        return self.has_change_permission(request) and self.has_revoke_permission(request)

    @admin.display(description="active sessions", ordering="active_sessions")
    def active_sessions(self, user):
        if not user.active_sessions:
            return 0
        url = changelist_url(RefreshSession, user__id__exact=user.pk, status="active")
        return format_html('<a href="{}">{}</a>', url, user.active_sessions)

    @admin.display(description="passkeys", ordering="passkey_count")
    def passkey_count(self, user):
        return user.passkey_count

    @admin.display(description="passkeys")
    def passkeys(self, user):
        return passkeys_table(user)

    @admin.action(description="Revoke all sessions", permissions=["revoke"])
    def revoke_all_sessions(self, request, queryset):
        client = client_info(request)
        revoked = 0
        for user in queryset:
            revoked += lifecycle.revoke_user_sessions(
                user=user, reason=RevocationReason.ADMIN_REVOKED, actor=request.user, client=client
            )
        self.message_user(request, ngettext("Revoked %d session.", "Revoked %d sessions.", revoked) % revoked)

    @admin.action(description="Deactivate and revoke all sessions", permissions=["deactivate"])
    def deactivate_and_revoke_sessions(self, request, queryset):
        client = client_info(request)
        deactivated = revoked = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, "You cannot deactivate yourself; skipped.", messages.WARNING)
                continue
            with transaction.atomic():
                # Revoke first, naming the administrator; the post_save signal
                # then finds nothing left to revoke and records nothing more.
                revoked += lifecycle.revoke_user_sessions(
                    user=user, reason=RevocationReason.ADMIN_REVOKED, actor=request.user, client=client
                )
                if user.is_active:
                    user.is_active = False
                    user.save(update_fields=["is_active"])
                    self.log_change(request, user, "Deactivated and revoked all sessions.")
                    deactivated += 1
        self.message_user(
            request,
            ngettext("Deactivated %d user", "Deactivated %d users", deactivated) % deactivated
            + ngettext(" and revoked %d session.", " and revoked %d sessions.", revoked) % revoked,
        )

    def user_change_password(self, request, id, form_url=""):
        """Setting a password here ends every session, as it does through the API."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            lifecycle.revoke_user_sessions(
                user=self.get_object(request, id), reason=RevocationReason.PASSWORD_CHANGED,
                actor=request.user, client=client_info(request),
            )
        return response

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if not deactivating:
            return super().save_model(request, obj, form, change)
        with transaction.atomic():
            # As in the action: name the administrator, then let the signal
            # find nothing left to do.
            lifecycle.revoke_user_sessions(
                user=obj, reason=RevocationReason.USER_DEACTIVATED, actor=request.user, client=client_info(request)
            )
            super().save_model(request, obj, form, change)
