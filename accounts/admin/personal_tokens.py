"""Personal access tokens: read-only, searchable by user, revocable; the digest is never read."""
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from accounts.admin.common import (
    AllowedLookupsMixin,
    ReadOnlyAdminMixin,
    RevokeNotDeleteMixin,
    changelist_url,
    icon,
    ip_condition,
    reason_label,
    search_terms,
    user_condition,
    user_link,
)
from accounts.admin.sessions import compact_time
from accounts.limits.net import client_info
from accounts.models import RevocationReason, SecurityEvent
from accounts.personal_tokens import flows
from accounts.personal_tokens.models import PersonalAccessToken

REVOKE_TOKEN_PERMISSION = "accounts.revoke_personalaccesstoken"


class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def token_status(token, now=None):
    """Active / Expired / Revoked (reason), in words with a decorative icon, as for sessions."""
    if token.revoked_at is not None:
        return format_html("{} Revoked ({})", icon("no", ""), reason_label(token.revoked_reason) or "no reason")
    if token.expires_at <= (now or timezone.now()):
        return format_html("{} {}", icon("unknown", ""), "Expired")
    return format_html("{} {}", icon("yes", ""), "Active")


class TokenColumnsMixin:
    """Columns shared by the token changelist and the user page's inline."""

    @admin.display(description="token")
    def prefix(self, token):
        return format_html("<code>{}…</code>", token.prefix)

    @admin.display(description="scopes")
    def scope_list(self, token):
        # One a line: the column stays narrow in the list.
        return format_html_join(mark_safe("<br>"), "<code>{}</code>", ((name,) for name in token.scopes or [])) or "none"

    @admin.display(description="status")
    def status(self, token):
        return token_status(token)

    @admin.display(description="created", ordering="created_at")
    def created(self, token):
        return compact_time(token.created_at)

    @admin.display(description="expires", ordering="expires_at")
    def expires(self, token):
        return compact_time(token.expires_at)

    @admin.display(description="last used", ordering="last_used_at")
    def last_used(self, token):
        if token.last_used_at is None:
            return "never"
        return format_html("{}<br>{}", compact_time(token.last_used_at), token.last_used_ip or "-")


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(
    TokenColumnsMixin, AllowedLookupsMixin, RevokeNotDeleteMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    revoke_permission = REVOKE_TOKEN_PERMISSION
    list_display = ("name", "user_link", "prefix", "scope_list", "status", "created", "expires", "last_used")
    list_display_links = ("name",)
    list_filter = (TokenStatusFilter,)
    allowed_lookups = frozenset({
        "status",  # TokenStatusFilter
        "user__id__exact",  # a user's tokens, linked from the user page
    })
    # Declared for the search box; get_search_results does the work.
    search_fields = ("user__username", "user__email", "lookup", "last_used_ip")
    search_help_text = "Part of a username or email, a token's start (gat_…), or an IP address (or the start of one)."
    ordering = ("-created_at",)
    list_select_related = ("user",)
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["revoke_selected_tokens"]
    exclude = ("digest",)
    fields = (
        "name", "user_link", "prefix", "scope_list", "status", "created_at", "expires_at", "last_used_at", "last_used_ip",
        "revoked_at", "revoked_reason_label", "security_events",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ["accounts/admin.css"]}

    def get_queryset(self, request):
        # The digest is never read into the admin at all.
        return super().get_queryset(request).select_related("user").defer("digest")

    def get_search_results(self, request, queryset, search_term):
        """Each word is a token's start, an IP address (or its start), or part of a username or email."""
        for term in search_terms(search_term):
            if term.startswith("gat_"):
                condition = Q(lookup__startswith=term[4:20])
            else:
                condition = ip_condition(term, "last_used_ip") or user_condition(term)
            queryset = queryset.filter(condition)
        return queryset, False

    @admin.display(description="user", ordering="user__username")
    def user_link(self, token):
        return user_link(token.user_id, token.user.get_username())

    @admin.display(description="revoked because")
    def revoked_reason_label(self, token):
        return reason_label(token.revoked_reason) if token.revoked_reason else "-"

    @admin.display(description="security events")
    def security_events(self, token):
        url = changelist_url(SecurityEvent, personal_token__id__exact=token.pk)
        return format_html('<a href="{}">Security events of this token</a>', url)

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke_selected_tokens(self, request, queryset):
        client = client_info(request)
        tokens = list(queryset.select_related("user").defer("digest"))
        revoked = sum(
            flows.revoke_token(token=token, reason=RevocationReason.ADMIN_REVOKED, actor=request.user, client=client)
            for token in tokens
        )
        message = ngettext("Revoked %d token.", "Revoked %d tokens.", revoked) % revoked
        if skipped := len(tokens) - revoked:
            message += f" {skipped} had been revoked already."
        self.message_user(request, message, messages.SUCCESS if revoked else messages.WARNING)


class PersonalTokenInline(TokenColumnsMixin, admin.TabularInline):
    """The user's live tokens on their page, newest first, read-only (bounded like the sessions inline)."""

    model = PersonalAccessToken
    fk_name = "user"
    verbose_name = "personal access token"
    verbose_name_plural = "personal access tokens (active, the 50 newest)"
    fields = ("name", "prefix", "scope_list", "created", "expires", "last_used")
    readonly_fields = fields
    exclude = ("digest",)
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        active = super().get_queryset(request).active().defer("digest")
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if object_id is None:
            return active.none()
        newest = active.filter(user_id=object_id).order_by("-created_at").values("pk")[:50]
        return active.filter(pk__in=newest).order_by("-created_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
