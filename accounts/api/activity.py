"""HTTP for the caller's own security activity (the flow: ``accounts.activity``)."""
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination

from accounts import activity
from accounts.api import schema
from accounts.api.views import NoStoreMixin
from accounts.useragent import describe


class ActivityPagination(CursorPagination):
    """A cursor, not page numbers: a sign-in while someone reads page 2 shifts nothing, and no COUNT is run."""

    ordering = ("-created_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request):
        """DRF's decoding, and a position that is a time with its zone: any other would reach the database (a 500)."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not _is_aware_time(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor


def _is_aware_time(text):
    try:
        moment = parse_datetime(text)
    except ValueError:
        return False
    return moment is not None and moment.tzinfo is not None


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="The event's kind, e.g. `login_succeeded`, `password_changed`.")
    label = serializers.SerializerMethodField(help_text="What happened, in a sentence for people.")
    reason = serializers.CharField(help_text="Why a session ended (`logout_all`, `password_changed`, …), or empty.")
    created_at = serializers.DateTimeField()
    ip_address = serializers.IPAddressField(
        allow_null=True, help_text="Where it came from; null when unknown or when an administrator did it."
    )
    user_agent = serializers.CharField(help_text="The browser it came from; empty when unknown or an administrator's.")
    session = serializers.UUIDField(source="session_id", allow_null=True, help_text="The session it concerns, if one.")
    device = serializers.SerializerMethodField(
        help_text='The browser as people name it ("Chrome on macOS"); null when unknown or an administrator\'s.'
    )
    current = serializers.SerializerMethodField(help_text="It concerns the session making this request.")

    def get_device(self, event) -> str | None:
        # The server's one reading of user agents (accounts.useragent), so the app parses none.
        return describe(event.user_agent).label if event.user_agent else None

    def get_label(self, event) -> str:
        return activity.label(event)

    def get_current(self, event) -> bool:
        return event.session_id is not None and event.session_id == self.context["current_session_id"]

    def to_representation(self, event):
        data = super().to_representation(event)
        if activity.by_someone_else(event):
            data["ip_address"], data["user_agent"], data["device"] = None, "", None
        return data


class ActivityView(NoStoreMixin, ListAPIView):
    serializer_class = ActivitySerializer
    pagination_class = ActivityPagination

    @schema.operation(
        summary="My security activity",
        description="The caller's own security events, newest first, a page at a time (a cursor in `next`; "
        "`page_size` up to 100): sign-ins with device and IP, sign-outs and revocations, password changes "
        "and resets, second factors, personal tokens, token-reuse alarms. Never another user's; failed "
        "logins are not shown (they are recorded with the name as typed). An administrator's address and "
        "device are not shown.",
        responses={200: ActivitySerializer(many=True)},
        errors={**schema.BEARER_REFUSED, 404: "No such page: an unknown or made-up cursor (`not_found`).",
                **schema.DATABASE},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return activity.events_of(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_session_id": self.request.auth.session_id}
