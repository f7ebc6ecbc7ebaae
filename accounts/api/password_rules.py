"""The password rules, as the server's validators state them: forms show them before the first submit.

The text comes from ``AUTH_PASSWORD_VALIDATORS`` (each validator's help text),
so the browser never keeps a copy that could drift from what the server checks.
"""
from django.contrib.auth.password_validation import password_validators_help_texts
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class PasswordRulesSerializer(serializers.Serializer):
    rules = serializers.ListField(child=serializers.CharField(), help_text="One sentence per rule, in order.")


class PasswordRulesView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=PasswordRulesSerializer)
    def get(self, request):
        response = Response({"rules": [str(text) for text in password_validators_help_texts()]})
        # The same for everyone, and changed only with the settings.
        response["Cache-Control"] = "public, max-age=300"
        return response
