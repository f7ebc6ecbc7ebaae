"""OpenID clients (the applications that sign in through Gatehouse), their grants, and back-channel logouts.

A client's secret is write-only: a new confidential client's form offers a
freshly generated one to copy before saving; only its digest is kept. A
grant is a session: it is listed (and revoked) with the sessions, and here
by client.
"""
import secrets

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _, gettext_lazy

from accounts.admin.common import ReadOnlyAdminMixin
from accounts.admin.shown_once import offer_or_replace, shown_once_secret_field
from accounts.oidc_provider import clients
from accounts.oidc_provider.models import BackchannelLogout, ClientGrant, OAuthClient


class OAuthClientForm(forms.ModelForm):
    confidential = forms.BooleanField(required=False, initial=True,
                                      help_text=gettext_lazy("Has a secret (a server-side app). Unticked: a public client "
                                                             "(an SPA or a native app), PKCE only."))
    secret = shown_once_secret_field(
        help_text=gettext_lazy("Copy it into the application now: only its digest is kept, it is never shown again."),
    )

    class Meta:
        model = OAuthClient
        fields = ("client_id", "name", "redirect_uris", "post_logout_redirect_uris", "backchannel_logout_uri",
                  "trusted", "allow_offline_access", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["confidential"] = not self.instance.is_public
        offer_or_replace(self, new_secret=lambda: secrets.token_urlsafe(32))

    def clean(self):
        data = super().clean()
        for name in ("redirect_uris", "post_logout_redirect_uris"):
            for uri in (data.get(name) or "").split():
                try:
                    clients.check_uri(uri)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        secret = data.get("secret")
        if data.get("confidential") and secret and len(secret) < clients.MIN_SECRET_LENGTH:
            self.add_error("secret", f"At least {clients.MIN_SECRET_LENGTH} characters.")
        if data.get("confidential") and not secret and (not self.instance.pk or self.instance.is_public):
            self.add_error("secret", "A confidential client needs a secret.")
        return data

    def save(self, commit=True):
        client = super().save(commit=False)
        if not self.cleaned_data.get("confidential"):
            client.secret_digest = ""
        elif self.cleaned_data.get("secret"):
            client.secret_digest = clients.secret_digest(self.cleaned_data["secret"])
        if commit:
            client.save()
        return client


@admin.register(OAuthClient)
class OAuthClientAdmin(admin.ModelAdmin):
    form = OAuthClientForm
    list_display = ("client_id", "name", "kind", "trusted", "allow_offline_access", "active", "live_grants")
    search_fields = ("client_id", "name")

    @admin.display(description="kind")
    def kind(self, client):
        return "public" if client.is_public else "confidential"

    @admin.display(description="live grants")
    def live_grants(self, client):
        return client.grants.filter(session__revoked_at__isnull=True).count()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("secret") and form.cleaned_data.get("confidential"):
            messages.info(request, _("The secret of %(client)s is saved as a digest; it will not be shown again.")
                          % {"client": obj.client_id})


@admin.register(ClientGrant)
class ClientGrantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("session", "client", "user", "scopes", "offline", "created", "ended")
    list_select_related = ("client", "session", "session__user")
    list_filter = ("client",)
    fields = ("session", "client", "scopes", "browser_session_id", "offline", "logout_queued")

    @admin.display(description="user")
    def user(self, grant):
        return grant.session.user

    @admin.display(description="created")
    def created(self, grant):
        return grant.session.created_at

    @admin.display(description="ended")
    def ended(self, grant):
        return grant.session.revoked_at or "—"


@admin.register(BackchannelLogout)
class BackchannelLogoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("client", "sid", "status", "attempts", "created_at", "delivered_at", "last_error")
    list_filter = ("status",)
    list_select_related = ("client",)
