"""What this server offers, for the browser app to read once at start.

The app hides what the server would refuse: "Sign in with a passkey" where
passkeys have no relying party (an IP address, no ``SITE_URL``), "Forgot
password" where mail is not set up, "Create an account" where sign-up is off.
Each answer comes from the check its own route makes, so the two cannot
disagree: the passkey routes' ``relying_party.current()`` (503
``passkeys_unavailable``), the mail links' ``addresses.available()``
(``SITE_URL`` and ``EMAIL_URL``, what the reset's 503 ``recovery_unavailable``
and the change of address's 503 ``email_unavailable`` test), and the
sign-up's ``SIGNUP_ENABLED`` (with ``mandatory`` verification, sign-up also
needs mail: without it the route answers 503).

Public and the same for everyone: nothing here is a secret, and nothing
depends on who asks. Cached briefly, since it changes only with the settings.
"""
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import conf
from accounts.api import schema
from accounts.email_codes import flows as email_codes
from accounts.passkeys import relying_party
from accounts.recovery import addresses

MAX_AGE = 60


class ConfigSerializer(serializers.Serializer):
    signup = serializers.BooleanField(help_text="`POST /api/auth/register/` accepts sign-ups.")
    password_reset = serializers.BooleanField(
        help_text="Mail is set up (`SITE_URL` and `EMAIL_URL`): reset, verification and change-of-address links "
        "can be sent."
    )
    passkeys = serializers.BooleanField(
        help_text="The server has a relying party for passkeys (a domain, not an IP address)."
    )
    login_by_code = serializers.BooleanField(
        help_text="`POST /api/auth/login/code/` mails sign-in codes (`LOGIN_BY_CODE`, and mail is set up)."
    )
    email_verification = serializers.ChoiceField(
        choices=["none", "optional", "mandatory"], help_text="`SIGNUP_EMAIL_VERIFICATION`."
    )
    trust_device_days = serializers.IntegerField(
        help_text="`MFA_TRUST_DAYS`: how long \"trust this device\" at a second step lasts; 0: not offered."
    )


def capabilities() -> dict:
    """The answer, from the same checks the routes make."""
    mail = addresses.available()
    verification = conf.signup_email_verification()
    return {
        "signup": conf.signup_enabled() and (mail or verification != "mandatory"),
        "password_reset": mail,
        "passkeys": relying_party.available(),
        "login_by_code": email_codes.available(),
        "email_verification": verification,
        "trust_device_days": conf.mfa_trust_days(),
    }



class ConfigView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @schema.operation(
        summary="What this server offers",
        description="The capabilities the browser app reads at start, to offer only what works here: sign-up, "
        "password reset by mail, passkeys, and the sign-up's email verification policy. Public, the same for "
        f"everyone, cacheable for {MAX_AGE} seconds.",
        responses={200: ConfigSerializer},
        errors={},
        auth=schema.PUBLIC,
    )
    def get(self, request):
        response = Response(ConfigSerializer(capabilities()).data)
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response
