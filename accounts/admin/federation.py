"""Sign-in providers (the client secret write-only, never shown) and, on each user's page, their linked identities.

A provider saved here passes the checks ``manage.py provider set`` makes
(``accounts.federation.providers.check``). Identities are read-only: a
person unlinks their own on the account page (with the last-method guard,
an event and a mail); removing a provider removes the identities linked
through it.
"""
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy

from accounts.federation import metadata, providers
from accounts.federation.models import Identity, Provider


class ProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        required=False, strip=True, widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Stored encrypted and never shown again."),
    )
    issuer = forms.URLField(
        required=False, max_length=500, assume_scheme="https",
        help_text=gettext_lazy(
            "oidc: required; microsoft: names the tenant; gitlab: a self-managed instance; google, github: empty."
        ),
    )
    domains = forms.CharField(
        required=False, help_text=gettext_lazy("Email domains it owns, separated by spaces or commas (example.com)."),
    )

    class Meta:
        model = Provider
        fields = (
            "slug", "name", "kind", "client_id", "issuer", "scopes", "trusted_email", "allow_signup",
            "require_for_domains", "enabled",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["domains"] = " ".join(self.instance.domains or [])
        if self.instance.pk:
            self.fields["client_secret"].label = "New client secret"
            self.fields["client_secret"].help_text = "Leave empty to keep the current secret (it is never shown)."

    def clean_domains(self):
        try:
            return sorted({providers.clean_domain(d) for d in self.cleaned_data["domains"].replace(",", " ").split()})
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                providers.check(
                    slug=cleaned.get("slug"), kind=cleaned.get("kind"), client_id=cleaned.get("client_id"),
                    issuer=cleaned.get("issuer"), domains=cleaned.get("domains"),
                    require_for_domains=cleaned.get("require_for_domains"),
                )
            except ValueError as error:
                raise forms.ValidationError(str(error)) from None
            if not self.instance.pk and not cleaned.get("client_secret"):
                self.add_error("client_secret", "A new provider needs its client secret.")
        return cleaned

    def save(self, commit=True):
        provider = super().save(commit=False)
        provider.domains = self.cleaned_data["domains"]
        provider.issuer = (provider.issuer or "").rstrip("/")
        if self.cleaned_data.get("client_secret"):
            provider.set_client_secret(self.cleaned_data["client_secret"])
        if commit:
            provider.save()
        metadata.forget()
        return provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ("name", "slug", "kind", "enabled", "allow_signup", "trusted_email", "require_for_domains")
    list_filter = ("kind", "enabled")
    fields = (
        "slug", "name", "kind", "client_id", "client_secret", "issuer", "scopes", "trusted_email", "allow_signup",
        "domains", "require_for_domains", "enabled",
    )
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("client_secret_sealed")

    def lookup_allowed(self, lookup, value, request=None):
        if "client_secret_sealed" in lookup.split("__"):
            return False
        return super().lookup_allowed(lookup, value, request)


class IdentityInline(admin.TabularInline):
    model = Identity
    fk_name = "user"
    verbose_name = "linked identity"
    verbose_name_plural = "linked identities (sign-in providers)"
    fields = ("provider", "subject", "email", "email_verified", "created_at", "last_used_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
