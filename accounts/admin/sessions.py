"""Sessions (refresh-token families): read-only, searchable, revocable."""
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.admin.changelist import BoundedDateHierarchyChangeList, bounded_paginator, likely
from accounts.admin.common import (
    REVOKE_PERMISSION,
    AllowedLookupsMixin,
    ReadOnlyAdminMixin,
    RevokeNotDeleteMixin,
    admin_time,
    changelist_url,
    icon,
    ip_condition,
    search_terms,
    short_user_agent,
    user_condition,
    user_link,
)
from accounts.limits.net import client_info
from accounts.models import SESSION_MOVED, RefreshSession, RevocationReason, SecurityEvent
from accounts.sessions import lifecycle


class SessionStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(likely(revoked_at__isnull=True, expires_at__gt=now))
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def session_status(session, now=None):
    """Active / Expired / Revoked (reason), with an icon; never colour alone.

    The words say it all, so the icon is decorative (empty alt): a screen
    reader would otherwise read "active Active".
    """
    if session.revoked_at is not None:
        label = f"Revoked ({session.get_revoked_reason_display() or 'no reason'})"
        icon_name = "alert" if session.revoked_reason == RevocationReason.REUSE_DETECTED else "no"
        return format_html("{} {}", icon(icon_name, ""), label)
    if session.expires_at <= (now or timezone.now()):
        return format_html("{} {}", icon("unknown", ""), "Expired")
    return format_html("{} {}", icon("yes", ""), "Active")


compact_time = admin_time  # one way to write a moment on every admin page


class SessionColumnsMixin:
    """Columns shared by the session changelist and the user page's inline."""

    @admin.display(description="session", ordering="id")
    def short_id(self, session):
        return str(session.id)[:8]

    @admin.display(description="status")
    def status(self, session):
        return session_status(session)

    @admin.display(description="user agent")
    def short_user_agent(self, session):
        return short_user_agent(session.user_agent)


@admin.register(RefreshSession)
class RefreshSessionAdmin(
    SessionColumnsMixin, AllowedLookupsMixin, RevokeNotDeleteMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    revoke_permission = REVOKE_PERMISSION
    # Six columns, so that the list fits its area beside both sidebars at
    # 1366 px (admin.css lays it out): the addresses and the user agent share
    # the "client" column, and the expiry is on the session's page (the
    # status says "Expired").
    list_display = ("short_id", "user_link", "status", "created", "last_used", "client")
    list_display_links = ("short_id",)
    list_filter = (SessionStatusFilter, "revoked_reason", "created_at")
    allowed_lookups = frozenset({
        "status",  # SessionStatusFilter
        "revoked_reason__exact", "revoked_reason__isnull",  # the reason filter
        "created_at__gte", "created_at__lt",  # the date filter
        "created_at__year", "created_at__month", "created_at__day",  # the date hierarchy
        "user__id__exact",  # a user's sessions, linked from the user list
    })
    # Declared for the search box; get_search_results does the work.
    search_fields = ("user__username", "user__email", "ip_address", "last_ip_address")
    search_help_text = "Part of a username or email, an IP address, or the start of one (198.51.100.)."
    date_hierarchy = "created_at"
    ordering = ("-created_at",)  # indexed, unlike the model's -last_used_at
    list_select_related = ("user",)
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    change_list_template = "admin/accounts/change_list_bounded_dates.html"
    actions = ["revoke_selected_sessions"]
    exclude = ("token_seed", "rotated_by_client")
    fieldsets = (
        (None, {"fields": ("id", "user_link", "status", "generation")}),
        (
            "Lifetime",
            {
                "fields": (
                    "created_at", "last_used_at", "rotated_at", "grace_answers", "last_grace_at", "expires_at",
                    "absolute_expires_at", "revoked_at", "revoked_reason",
                )
            },
        ),
        ("Client", {"fields": ("ip_address", "last_ip_address", "user_agent")}),
        ("Audit", {"fields": ("security_events",)}),
    )
    readonly_fields = (
        "id", "user_link", "status", "generation", "created_at", "last_used_at", "rotated_at", "grace_answers",
        "last_grace_at", "expires_at", "absolute_expires_at", "revoked_at", "revoked_reason", "ip_address",
        "last_ip_address", "user_agent", "security_events",
    )

    class Media:
        css = {"all": ["accounts/admin.css"]}

    def get_queryset(self, request):
        # The seed is never read into the admin at all.
        return super().get_queryset(request).select_related("user").defer("token_seed")

    def get_changelist(self, request, **kwargs):
        return BoundedDateHierarchyChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # Counts at most 10,000 rows past the page: never the whole table.
        return bounded_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def get_search_results(self, request, queryset, search_term):
        """Each word is an IP address (or its start), or part of a username or email.

        Users are matched in their own (small) table and sessions then found
        through the user index, instead of scanning every session joined to
        its user; an IP compares as an address, not as text, when whole, and
        as a range of each address column when partial. The latest address
        is searched among the sessions that moved only (``SESSION_MOVED``,
        the condition of its partial index): for the others it is the
        sign-in address, which the first range covers.
        """
        for term in search_terms(search_term):
            condition = ip_condition(term, "ip_address")
            if condition is None:
                condition = user_condition(term)
            else:
                condition |= ip_condition(term, "last_ip_address") & SESSION_MOVED
            queryset = queryset.filter(condition)
        return queryset, False

    def action_checkbox(self, obj):
        """Django's checkbox, same markup, written directly: its widget template cost ~0.2 ms a row."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME, str(obj.pk), format_html(_("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description="user", ordering="user__username")
    def user_link(self, session):
        return user_link(session.user_id, session.user.get_username())

    @admin.display(description="created", ordering="created_at")
    def created(self, session):
        return compact_time(session.created_at)

    @admin.display(description="last used", ordering="last_used_at")
    def last_used(self, session):
        return compact_time(session.last_used_at)

    @admin.display(description="client")
    def client(self, session):
        """The latest address (and the sign-in one when the session has moved), then the shortened user agent."""
        last = session.last_ip_address or session.ip_address or "-"
        moved = ""
        if session.ip_address and session.ip_address != last:
            moved = format_html('<br><span class="quiet">signed in from {}</span>', session.ip_address)
        return format_html("{}{}<br>{}", last, moved, short_user_agent(session.user_agent))

    @admin.display(description="security events")
    def security_events(self, session):
        url = changelist_url(SecurityEvent, session__id__exact=session.pk)
        return format_html('<a href="{}">Security events of this session</a>', url)

    @admin.action(description="Revoke selected sessions", permissions=["revoke"])
    def revoke_selected_sessions(self, request, queryset):
        selected = queryset.count()
        revoked = lifecycle.revoke_sessions(
            sessions=queryset, reason=RevocationReason.ADMIN_REVOKED, actor=request.user, client=client_info(request)
        )
        message = ngettext("Revoked %d session.", "Revoked %d sessions.", revoked) % revoked
        if skipped := selected - revoked:
            message += f" {skipped} had already ended."
        self.message_user(request, message, messages.SUCCESS if revoked else messages.WARNING)
