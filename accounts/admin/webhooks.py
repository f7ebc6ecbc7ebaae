"""Webhook endpoints (URL, event types, active; the secret is write-only) and their deliveries (with "Resend").

Only administrators register endpoints: the server POSTs to them from inside
the network (see ``accounts.webhooks.endpoints`` for the URL rule). A new
endpoint's form offers a freshly generated secret to copy before saving;
after that the secret is never shown again, only replaced.
"""
from django import forms
from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from accounts.admin.common import ReadOnlyAdminMixin
from accounts.admin.shown_once import offer_or_replace, shown_once_secret_field
from accounts.webhooks import crypto, endpoints, kinds, outbox
from accounts.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https", label=gettext_lazy("URL"), help_text=endpoints.URL_RULE)
    event_types = forms.MultipleChoiceField(
        choices=[(name, name) for name in kinds.EVENT_TYPES], widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("identity.linked and identity.unlinked: an identity at a sign-in provider was linked to "
                               "an account or unlinked from it."),
    )
    secret = shown_once_secret_field(
        help_text=gettext_lazy("Copy it into your receiver now: it is stored encrypted and never shown again."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["event_types"] = self.instance.event_types
        offer_or_replace(
            self, new_secret=crypto.new_secret, replace_help=_("Leave empty to keep the current secret (it is never shown). Paste a new whsec_ secret to "
                           "replace it.")
        )

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            return endpoints.check_url(url)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if not secret:
            if not self.instance.pk:
                raise forms.ValidationError(_("A new endpoint needs a secret."))
            return None
        try:
            return crypto.check_secret(secret)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def save(self, commit=True):
        endpoint = super().save(commit=False)
        endpoint.events = " ".join(kinds.parse(self.cleaned_data["event_types"]))
        if self.cleaned_data.get("secret"):
            endpoint.secret_encrypted = crypto.seal(self.cleaned_data["secret"])
        if commit:
            endpoint.save()
        return endpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "active", "events", "created_at")
    list_filter = ("active",)
    fields = ("url", "event_types", "active", "secret")
    ordering = ("url",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("secret_encrypted")

    def lookup_allowed(self, lookup, value, request=None):
        if "secret_encrypted" in lookup.split("__"):
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at", "event_type", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at", "short_error",
    )
    list_filter = ("status", "event_type")
    list_select_related = ("endpoint",)
    ordering = ("-created_at",)
    show_full_result_count = False
    actions = ["resend"]
    fields = (
        "message_id", "event_type", "endpoint", "status", "attempts", "next_attempt_at", "created_at",
        "delivered_at", "last_error", "payload",
    )
    readonly_fields = fields

    @admin.display(description="last error")
    def short_error(self, delivery):
        return Truncator(delivery.last_error).chars(60) or "-"

    def has_resend_permission(self, request):
        return request.user.has_perm("accounts.change_webhookdelivery")

    @admin.action(
        description="Resend the selected dead or failing deliveries (same webhook-id)", permissions=["resend"]
    )
    def resend(self, request, queryset):
        count = outbox.resend(deliveries=list(queryset.filter(status__in=[DeliveryStatus.DEAD, DeliveryStatus.QUEUED])))
        self.message_user(
            request, ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
            % {"count": count}, messages.SUCCESS,
        )
