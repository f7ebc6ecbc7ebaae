"""The browsers a user trusted to skip the second step, on their admin page: seen, and ended one by one.

Resetting two-step sign-in (or any change of factors, or of the password)
ends them all (``accounts.devices.trusted``); here an administrator can end
one without touching the rest.
"""
from django.contrib import admin

from accounts.devices.models import TrustedDevice
from accounts.useragent import describe


class TrustedDeviceInline(admin.TabularInline):
    model = TrustedDevice
    fk_name = "user"
    verbose_name = "trusted device"
    verbose_name_plural = "trusted devices (skip the second step of a password login)"
    fields = ("device", "ip_address", "created_at", "last_used_at", "expires_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = True

    @admin.display(description="device")
    def device(self, obj):
        return describe(obj.user_agent).label

    def get_queryset(self, request):
        return super().get_queryset(request).defer("digest", "password_fingerprint").order_by("-created_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
