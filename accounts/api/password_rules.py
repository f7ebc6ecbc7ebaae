"""The password rules, as the server's validators state them: forms show them before the first submit.

The text comes from ``AUTH_PASSWORD_VALIDATORS`` (each validator's help text),
so the browser never keeps a copy that could drift from what the server checks.
"""
from django.contrib.auth.password_validation import password_validators_help_texts
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import schema


class PasswordRulesSerializer(serializers.Serializer):
    rules = serializers.ListField(child=serializers.CharField(), help_text="One sentence per rule, in order.")


class PasswordRulesView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @schema.operation(
        summary="The password rules",
        description="What a new password must satisfy, in the server's own words (one sentence per validator "
        "of `AUTH_PASSWORD_VALIDATORS`), for forms to show before the first submit. Public and cacheable.",
        responses={200: PasswordRulesSerializer},
        errors={},
        auth=schema.PUBLIC,
    )
    def get(self, request):
        response = Response({"rules": [str(text) for text in password_validators_help_texts()]})
        # The same for everyone, and changed only with the settings.
        response["Cache-Control"] = "public, max-age=300"
        return response
