"""What every API view shares: the base views, and the answers of a sign-in (tokens and cookie, 202, 403)."""
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.cookies import set_token_cookies
from accounts.api.exceptions import error_body
from accounts.api.origin import SameSiteOrigin
from accounts.api.serializers import UserSerializer
from accounts.mfa.challenges import SecondStepRequired
from accounts.signin.gate import EmailUnverified, SsoRequired

BEARER_CHALLENGE = 'Bearer realm="api"'


class NoStoreMixin:
    """API answers carry tokens or personal data: never cache them."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class CookieRouteView(NoStoreMixin, APIView):
    """Base for the routes that read or set the refresh cookie."""

    authentication_classes = []
    permission_classes = [SameSiteOrigin]

    def get_authenticate_header(self, request):
        return BEARER_CHALLENGE


class BearerView(NoStoreMixin, APIView):
    """Base for the routes that need a valid access token."""


def token_body(issued):
    return {"access": issued.access, "token_type": "Bearer", "expires_in": issued.expires_in}


def token_response(issued, body, status_code=status.HTTP_200_OK):
    response = Response(body, status=status_code)
    set_token_cookies(response, issued)
    return response


def login_response(issued):
    """The answer to a completed login: the token body with the user, and the refresh cookie."""
    return token_response(issued, {**token_body(issued), "user": UserSerializer(issued.session.user).data})


def second_step_response(pending: SecondStepRequired):
    """202: the password was right, the login needs its second step; no token, no cookie."""
    return Response(
        {"mfa_required": True, "mfa_token": pending.mfa_token, "methods": pending.methods,
         "expires_in": pending.expires_in},
        status=status.HTTP_202_ACCEPTED,
    )


def sign_in_response(sign_in):
    """The answer to any way in (``accounts.signin``): ``sign_in()`` opens a session, asks for a step, or refuses.

    An unverified address is 403 ``email_unverified`` with ``email``: the
    credential was right, so the address it must verify is the caller's to
    know (to ask for a new link). An address a provider owns is 403
    ``sso_required`` with ``provider`` (its slug): sign in through it.
    """
    try:
        result = sign_in()
    except EmailUnverified as refused:
        return Response(
            error_body(refused.detail, refused.default_code, email=refused.email), status=status.HTTP_403_FORBIDDEN
        )
    except SsoRequired as refused:
        return Response(
            error_body(refused.detail, refused.default_code, provider=refused.provider),
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(result, SecondStepRequired):
        return second_step_response(result)
    return login_response(result)
