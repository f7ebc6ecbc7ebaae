"""Users: Django's UserAdmin plus active sessions, the revoke actions and account deletion."""
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _, ngettext

from accounts.account import deletion
from accounts.admin import reauth, second_step
from accounts.admin.common import (
    REVOKE_PERMISSION,
    AllowedLookupsMixin,
    User,
    admin_time,
    changelist_url,
)
from accounts.admin.federation import IdentityInline
from accounts.admin.passkeys import passkey_count, passkeys_table
from accounts.admin.personal_tokens import PersonalTokenInline
from accounts.admin.sessions import SessionColumnsMixin
from accounts.admin.trusted_devices import TrustedDeviceInline
from accounts.limits.net import client_info
from accounts.models import RefreshSession, RevocationReason
from accounts.personal_tokens import flows as personal_tokens
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


_when = admin_time


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
    readonly_fields = ("email_verified_at", "two_step_sign_in", "passkeys")
    fieldsets = (
        *UserAdmin.fieldsets[:1],
        ("Personal info", {"fields": ("first_name", "last_name", "email", "email_verified_at")}),
        ("Two-step sign-in", {"fields": ("two_step_sign_in",)}),
        *UserAdmin.fieldsets[2:],
        ("Passkeys", {"fields": ("passkeys",)}),
    )
    # Django's name columns left out (they are on the user's page and searched), so that
    # Gatehouse's own columns fit beside both sidebars at 1280 px (admin.css lays them out).
    list_display = (
        "username", "email", "is_staff", "is_active", "two_factor", "active_sessions", "passkey_count"
    )
    list_filter = (*UserAdmin.list_filter, "mfa_enabled")
    # UserAdmin's list_filter: is_staff, is_superuser, is_active, groups; and ours, mfa_enabled.
    allowed_lookups = frozenset({
        "is_staff__exact", "is_staff__isnull",
        "is_superuser__exact", "is_superuser__isnull",
        "is_active__exact", "is_active__isnull",
        "groups__id__exact", "groups__isnull",
        "mfa_enabled__exact", "mfa_enabled__isnull",
    })
    inlines = [ActiveSessionInline, PersonalTokenInline, TrustedDeviceInline, IdentityInline]

    class Media:
        css = {"all": ["accounts/admin.css"]}

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["revoke_all_sessions", "deactivate_and_revoke_sessions", "reset_two_step_sign_in", "delete_accounts"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            active_sessions=_active_session_count(), passkey_count=passkey_count()
        )

    def get_inline_instances(self, request, obj=None):
        # A user being added has no sessions yet.
        return super().get_inline_instances(request, obj) if obj is not None else []

    # Fields through which whoever edits a user could make anyone (themselves included) all-powerful.
    PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")

    def has_change_permission(self, request, obj=None):
        """Staff who are not superusers may look at a superuser but not change one.

        Changing the address alone would be enough to take the account over
        with a reset link; setting its password and resetting its factors are
        refused on their own pages too.
        """
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser or obj is None:
            return readonly
        return (*readonly, *self.PRIVILEGE_FIELDS)

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

    @admin.display(description="2FA", boolean=True, ordering="mfa_enabled")
    def two_factor(self, user):
        return user.mfa_enabled

    @admin.display(description="factors")
    def two_step_sign_in(self, user):
        """Dates and counts only: the secret and the codes are never shown (nor stored in the clear)."""
        if user is None or user.pk is None:
            return "-"
        status = second_step.summary(user)
        totp, codes = status["totp"], status["recovery_codes"]
        rows = []
        if totp["enabled"]:
            last = _when(totp["last_used_at"]) if totp["last_used_at"] else "never"
            rows.append(("Authenticator app", f"since {_when(totp['confirmed_at'])}, last code accepted {last}"))
        elif totp["pending"]:
            rows.append(("Authenticator app", "being set up (not confirmed)"))
        if codes["total"]:
            rows.append(("Recovery codes", f"{codes['remaining']} of {codes['total']} unused, "
                                           f"generated {_when(codes['created_at'])}"))
        if not rows:
            return "None: a login needs only the password."
        return format_html(
            "<ul class=\"gatehouse-factors\">{}</ul>", format_html_join("", "<li><strong>{}</strong>: {}</li>", rows)
        )

    @admin.action(description="Reset two-step sign-in", permissions=["change"])
    def reset_two_step_sign_in(self, request, queryset):
        """For a user who lost their authenticator: every factor and recovery code removed, recorded and mailed.

        Asks first (a confirmation page), and needs the acting admin's recent
        authentication: it hands the account to whoever has the password.
        """
        if self._protects_superusers(
            request, queryset, _("Only a superuser can reset the two-step sign-in of a superuser; nothing was changed.")
        ):
            return None
        confirmation = self._confirmation(
            request, queryset, action="reset_two_step_sign_in", title=_("Reset two-step sign-in"),
            question=_("Reset two-step sign-in of the selected users? Their authenticator app, recovery codes and "
                       "passkeys are removed, and a password alone then signs them in."),
            consequences=[_("Each user is mailed that an administrator reset it."), _("Their pending sign-ins end.")],
            reauthenticate=True,
        )
        if confirmation is not None:
            return confirmation
        client = client_info(request)
        reset = 0
        for user in queryset:
            if second_step.reset(user=user, actor=request.user, client=client):
                self.log_change(request, user, "Reset two-step sign-in.")
                reset += 1
        self.message_user(
            request, ngettext("Reset two-step sign-in of %d user.", "Reset two-step sign-in of %d users.", reset) % reset
        )
        return None

    def _protects_superusers(self, request, users, refusal):
        """Staff who are not superusers cannot take over a superuser's account; says so and answers True."""
        if request.user.is_superuser or not users.filter(is_superuser=True).exists():
            return False
        self.message_user(request, refusal, messages.ERROR)
        return True

    def _confirmation(self, request, queryset, *, action, title, question, consequences, reauthenticate=False):
        """The page that asks before an action (as Django's delete does); None once it has been confirmed.

        With ``reauthenticate``, an admin whose sign-in is not recent types
        their password (and code) on that page too.
        """
        needs_reauth = reauthenticate and not reauth.is_recent(request)
        confirmed = request.POST.get("post") == "yes"
        form = None
        if needs_reauth:
            form = reauth.ReauthenticationForm(request, request.POST if confirmed else None)
            if confirmed and form.is_valid():
                return None
        elif confirmed:
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "question": question,
            "consequences": consequences,
            "objects_name": _("users"),
            "queryset": queryset,
            "opts": self.model._meta,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "reauth_form": form,
            "reauth_passkey_options": form.passkey_options() if form is not None else None,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/accounts/confirm_action.html", context)

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
        if self._protects_superusers(request, queryset, _("Only a superuser can deactivate a superuser; nothing was changed.")):
            return None
        confirmation = self._confirmation(
            request, queryset, action="deactivate_and_revoke_sessions", title=_("Deactivate and revoke all sessions"),
            question=_("Deactivate the selected users and end everything they are signed in with?"),
            consequences=[_("They can no longer sign in."),
                          _("Every session and personal access token of theirs ends at once."),
                          _("You cannot deactivate yourself: you are skipped.")],
        )
        if confirmation is not None:
            return confirmation
        client = client_info(request)
        deactivated = revoked = revoked_tokens = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, _("You cannot deactivate yourself; skipped."), messages.WARNING)
                continue
            with transaction.atomic():
                # Revoke first, naming the administrator; the post_save signal
                # then finds nothing left to revoke and records nothing more.
                revoked += lifecycle.revoke_user_sessions(
                    user=user, reason=RevocationReason.ADMIN_REVOKED, actor=request.user, client=client
                )
                revoked_tokens += personal_tokens.revoke_user_tokens(
                    user=user, reason=RevocationReason.USER_DEACTIVATED, actor=request.user, client=client
                )
                if user.is_active:
                    user.is_active = False
                    user.save(update_fields=["is_active"])
                    self.log_change(request, user, "Deactivated and revoked all sessions.")
                    deactivated += 1
        self.message_user(
            request,
            ngettext("Deactivated %d user", "Deactivated %d users", deactivated) % deactivated
            + ngettext(" and revoked %d session.", " and revoked %d sessions.", revoked) % revoked
            + (
                ngettext(" Revoked %d personal access token.", " Revoked %d personal access tokens.", revoked_tokens)
                % revoked_tokens if revoked_tokens else ""
            ),
        )

    @admin.action(description="Delete accounts and their personal data", permissions=["delete"])
    def delete_accounts(self, request, queryset):
        """What ``DELETE /api/auth/me/`` does, for each selected user (``accounts.account.deletion``).

        Asks first, with a recent authentication of the acting admin. Only a
        superuser deletes a superuser; nobody deletes themselves here (the
        account page does that) and the last active superuser stays.
        """
        if self._protects_superusers(request, queryset, _("Only a superuser can delete a superuser; nothing was changed.")):
            return None
        confirmation = self._confirmation(
            request, queryset, action="delete_accounts", title=_("Delete accounts and their personal data"),
            question=_("Delete the selected accounts? This cannot be undone."),
            consequences=[
                _("Each account goes with its sessions (signed out at once), personal access tokens, authenticator "
                  "app, recovery codes, passkeys, known devices and queued mail."),
                _("Their security events stay under a pseudonym, without username, address, IP or user agent."),
                _("Each user is mailed that an administrator deleted the account."),
                _("You cannot delete yourself here: you are skipped."),
            ],
            reauthenticate=True,
        )
        if confirmation is not None:
            return confirmation
        deleted = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, _("You cannot delete yourself here; skipped."), messages.WARNING)
                continue
            try:
                deletion.delete_account(user=user, actor=request.user)
            except deletion.LastSuperuser:
                self.message_user(request, _("%(user)s is the last active superuser; skipped.") % {"user": user},
                                  messages.WARNING)
                continue
            except deletion.AccountGone:
                continue
            deleted += 1
        self.message_user(request, ngettext("Deleted %d account.", "Deleted %d accounts.", deleted) % deleted)
        return None

    def get_actions(self, request):
        # Django's "Delete selected users" asks for no recent sign-in: "Delete accounts…" does.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        """The change page's Delete, with a recent sign-in of the acting admin (as the action asks for one)."""
        if not reauth.is_recent(request):
            self.message_user(
                request, _("Deleting an account needs a recent sign-in: select it in the list and use "
                           "“Delete accounts and their personal data”, which asks for it."), messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        """Django's own delete (the change page's button) goes the same way as the action."""
        try:
            deletion.delete_account(user=obj, actor=request.user)
        except deletion.LastSuperuser:
            raise PermissionDenied(_("The last active superuser cannot be deleted.")) from None

    def delete_queryset(self, request, queryset):
        """Django's "Delete selected users" too: no user row goes without its personal data."""
        for user in queryset:
            if user.pk == request.user.pk:
                continue
            try:
                deletion.delete_account(user=user, actor=request.user)
            except deletion.LastSuperuser:
                self.message_user(request, _("%(user)s is the last active superuser; skipped.") % {"user": user},
                                  messages.WARNING)
            except deletion.AccountGone:
                continue

    def user_change_password(self, request, id, form_url=""):
        """Setting a password here ends every session, as it does through the API.

        It ends the personal access tokens too: an administrator sets a
        password for someone locked out, which is a reset, not the owner's
        own change.

        Staff who are not superusers cannot set a superuser's password, and
        the acting admin needs a recent authentication (asked for here when
        their sign-in is older than ``REAUTH_MAX_AGE``).
        """
        target = self.get_object(request, unquote(id))
        if target is not None and target.is_superuser and not request.user.is_superuser:
            raise PermissionDenied(_("Only a superuser can set a superuser's password."))
        if target is not None and not reauth.is_recent(request):
            asked = request.method == "POST" and "_reauthenticate" in request.POST
            form = reauth.ReauthenticationForm(request, request.POST if asked else None)
            if asked and form.is_valid():
                return HttpResponseRedirect(request.get_full_path())
            context = {
                **self.admin_site.each_context(request),
                "title": _("Confirm it's you"),
                "question": (
                    _("Setting the password of %(user)s needs a recent sign-in. Type your own password and confirm "
                      "with your second step.")
                    if second_step.required(request.user)
                    else _("Setting the password of %(user)s needs a recent sign-in. Type your own password.")
                ) % {"user": target},
                "opts": self.model._meta,
                "reauth_form": form,
                "reauth_passkey_options": form.passkey_options(),
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, "admin/accounts/reauthenticate.html", context)
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user, client = self.get_object(request, id), client_info(request)
            lifecycle.revoke_user_sessions(
                user=user, reason=RevocationReason.PASSWORD_CHANGED, actor=request.user, client=client,
            )
            personal_tokens.revoke_user_tokens(
                user=user, reason=RevocationReason.PASSWORD_CHANGED, actor=request.user, client=client,
            )
        return response

    def save_model(self, request, obj, form, change):
        if change and "email" in form.changed_data:
            obj.email_verified_at = None  # an address typed here has not been verified by its owner
            # Links mailed before cover the generation: none of them survives an address typed here,
            # even when the address later comes back to what it was.
            obj.email_link_generation += 1
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if not deactivating:
            return super().save_model(request, obj, form, change)
        with transaction.atomic():
            # As in the action: name the administrator, then let the signal
            # find nothing left to do.
            client = client_info(request)
            lifecycle.revoke_user_sessions(
                user=obj, reason=RevocationReason.USER_DEACTIVATED, actor=request.user, client=client
            )
            personal_tokens.revoke_user_tokens(
                user=obj, reason=RevocationReason.USER_DEACTIVATED, actor=request.user, client=client
            )
            super().save_model(request, obj, form, change)
