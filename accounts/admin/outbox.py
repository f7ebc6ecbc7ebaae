"""The mail outbox: what was sent, what is waiting, what died; dead mail can be sent again.

No token is ever shown: bodies appear only with their ``token=…`` links
masked, the raw body columns are on no page, and no changelist lookup may
touch them (``?body_text__contains=token=a`` would otherwise be an oracle).
"""
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import ngettext

from accounts.admin.common import ReadOnlyAdminMixin
from accounts.mail import outbox
from accounts.mail.models import OutboxMessage, OutboxStatus

_BODY_FIELDS = frozenset({"body_text", "body_html"})


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "status", "attempts", "next_attempt_at", "sent_at", "short_error")
    list_filter = ("status",)
    search_fields = ("=to",)
    ordering = ("-created_at",)
    show_full_result_count = False
    actions = ["resend"]
    fields = (
        "to", "subject", "status", "attempts", "next_attempt_at", "created_at", "sent_at", "last_error",
        "masked_text", "masked_html",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_html")

    def lookup_allowed(self, lookup, value, request=None):
        if _BODY_FIELDS.intersection(lookup.split("__")):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="last error")
    def short_error(self, message):
        return Truncator(message.last_error).chars(60) or "-"

    @admin.display(description="text body (links masked)")
    def masked_text(self, message):
        return format_html("<pre>{}</pre>", outbox.mask_tokens(message.body_text))

    @admin.display(description="HTML body (links masked, shown as source)")
    def masked_html(self, message):
        return format_html("<pre>{}</pre>", outbox.mask_tokens(message.body_html))

    def has_resend_permission(self, request):
        return request.user.has_perm("accounts.change_outboxmessage")

    @admin.action(description="Send the selected dead or failing messages again", permissions=["resend"])
    def resend(self, request, queryset):
        count = outbox.resend(messages=list(queryset.filter(status__in=[OutboxStatus.DEAD, OutboxStatus.QUEUED])))
        self.message_user(
            request, ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count}, messages.SUCCESS,
        )
