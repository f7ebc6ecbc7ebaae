"""HTTP for the browsers trusted to skip the second step: list them, end one (``accounts.devices.trusted``)."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts import conf
from accounts.api import schema
from accounts.api.base import BearerView
from accounts.api.cookies import clear_cookie, trusted_device_cookie
from accounts.devices import trusted
from accounts.useragent import describe


def _cookie_device_id(request) -> str:
    """The id part of this browser's own trusted-device cookie (only to mark it in the list), or ""."""
    value = trusted_device_cookie(request) or ""
    return value.partition(".")[0] if len(value) <= 128 else ""


class TrustedDeviceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True, help_text="The last login that skipped the second step.")
    expires_at = serializers.DateTimeField()
    ip_address = serializers.IPAddressField(allow_null=True, help_text="Where it was trusted, or last used.")
    device = serializers.SerializerMethodField(help_text='The device as people name it ("Chrome on macOS").')
    current = serializers.SerializerMethodField(help_text="This very browser.")

    def get_device(self, device) -> str:
        return describe(device.user_agent).label

    def get_current(self, device) -> bool:
        return device.pk.hex == self.context["cookie_device_id"]


class TrustedDeviceListView(BearerView):
    @schema.operation(
        summary="List my trusted devices",
        description="The browsers whose password logins skip the second step (ticked \"trust this device\" at a "
        "second step), newest first. They end after `MFA_TRUST_DAYS`, and all at once on a password change or "
        "reset and on any change of second factors.",
        responses={200: TrustedDeviceSerializer(many=True)},
        errors={**schema.BEARER_REFUSED, **schema.DATABASE},
    )
    def get(self, request):
        context = {"cookie_device_id": _cookie_device_id(request)}
        return Response(TrustedDeviceSerializer(trusted.current(request.user), many=True, context=context).data)


class TrustedDeviceDetailView(BearerView):
    @schema.operation(
        summary="Stop trusting one of my devices",
        description="Its next password login asks for the second step again. Removing this very browser also "
        "clears its cookie.",
        responses={204: None},
        errors={
            **schema.BEARER_REFUSED, 404: "No trusted device of the caller has this id (`not_found`).",
            **schema.DATABASE,
        },
    )
    def delete(self, request, device_id):
        if not trusted.remove(user=request.user, device_id=device_id):
            raise NotFound(_("No such trusted device."))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        if device_id.hex == _cookie_device_id(request):
            clear_cookie(response, trusted.COOKIE, conf.cookie_path())
        return response
