"""Security events: an append-only audit trail, read-only in the admin."""
from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.admin.common import (
    AllowedLookupsMixin,
    ReadOnlyAdminMixin,
    admin_time,
    admin_url,
    icon,
    ip_condition,
    reason_label,
    search_terms,
    session_link,
    short_user_agent,
    user_link,
)
from accounts.models import SecurityEvent, SecurityEventKind
from accounts.personal_tokens.models import PersonalAccessToken


class EventUserFilter(admin.SimpleListFilter):
    """Filter by exact username, typed in: no list of every user.

    Joins through the unique username index to the (user, created_at) index.
    (Failed logins have no user, only the name typed: find them with search.)
    """

    title = "user"
    parameter_name = "user"
    template = "admin/accounts/text_input_filter.html"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(user__username=self.value())
        return queryset

    def choices(self, changelist):
        # The other parameters ride along as hidden inputs of the filter's form.
        self.hidden_params = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for value in values
        ]
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }


@admin.register(SecurityEvent)
class SecurityEventAdmin(AllowedLookupsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Five columns that fit beside both sidebars at 1280 px (admin.css lays them out): the
    # session, the reason and the administrator share "details", the address and the device "client".
    list_display = ("created", "kind_status", "user_link", "details", "client")
    list_display_links = ("created",)
    list_filter = ("kind", EventUserFilter, "created_at")
    allowed_lookups = frozenset({
        "kind__exact", "kind__isnull",  # the kind filter
        "user",  # EventUserFilter (an exact username)
        "created_at__gte", "created_at__lt",  # the date filter
        "session__id__exact",  # a session's events, linked from the session page
        "personal_token__id__exact",  # a personal token's events, linked from the token's page
    })
    # Declared for the search box; get_search_results does the work.
    search_fields = ("username", "ip_address")
    search_help_text = "Part of a username (as typed at login), an IP address, or the start of one."
    ordering = ("-created_at",)
    list_select_related = ("user", "actor")
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = (
        "kind_status", "created_at", "user_link", "username", "session_link", "personal_token_link", "actor_link",
        "reason_label", "ip_address", "user_agent",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ["accounts/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "actor")

    def get_search_results(self, request, queryset, search_term):
        for term in search_terms(search_term):
            condition = ip_condition(term, "ip_address")
            queryset = queryset.filter(condition if condition is not None else Q(username__icontains=term))
        return queryset, False

    @admin.display(description="when", ordering="created_at")
    def created(self, event):
        day, _, time = admin_time(event.created_at).partition(" ")
        return format_html('<span class="gatehouse-nowrap">{}</span><br>{}', day, time)

    @admin.display(description="details")
    def details(self, event):
        """The session it concerns, why (a revocation's reason), and which administrator did it, when known."""
        parts = []
        if event.session_id is not None:
            parts.append(format_html("session {}", session_link(event.session_id)))
        if event.reason:
            parts.append(format_html("{}", reason_label(event.reason)))
        if event.actor_id is not None:
            parts.append(format_html("by {}", user_link(event.actor_id, event.actor.get_username())))
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts)) if parts else "-"

    @admin.display(description="client")
    def client(self, event):
        """The address, then the device as the app names it (the raw user agent on hover)."""
        return format_html("{}<br>{}", event.ip_address or "-", short_user_agent(event.user_agent))

    @admin.display(description="kind", ordering="kind")
    def kind_status(self, event):
        if event.kind == SecurityEventKind.REUSE_DETECTED:
            return format_html(
                '{} <strong class="gatehouse-alarm">{}</strong>',
                icon("alert", "alarm"),
                event.get_kind_display(),
            )
        return event.get_kind_display()

    @admin.display(description="user", ordering="username")
    def user_link(self, event):
        return user_link(event.user_id, event.user.get_username() if event.user_id else event.username)

    @admin.display(description="by administrator")
    def actor_link(self, event):
        if event.actor_id is None:
            return "-"
        return user_link(event.actor_id, event.actor.get_username())

    @admin.display(description="session")
    def session_link(self, event):
        return session_link(event.session_id)

    @admin.display(description="personal access token")
    def personal_token_link(self, event):
        if event.personal_token_id is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', admin_url(PersonalAccessToken, event.personal_token_id),
            str(event.personal_token_id)[:8],
        )

    @admin.display(description="reason")
    def reason_label(self, event):
        return reason_label(event.reason) if event.reason else "-"

    @admin.display(description="user agent")
    def short_user_agent(self, event):
        return short_user_agent(event.user_agent)
