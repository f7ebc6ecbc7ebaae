"""The languages this site offers, for the browser app's language picker and any other client.

Each comes with its name in its own language (what a reader of it looks for
in a list) and its writing direction (the app sets ``<html dir>`` from it).
The list is ``settings.LANGUAGES``: the same codes ``PATCH /api/auth/me/``
accepts as ``language``.
"""
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import language
from accounts.api import schema

MAX_AGE = 300


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The code to save as the account's `language` (`de`, `pt-br`, …).")
    name = serializers.CharField(help_text="The language's name in that language (`Deutsch`, `العربيّة`).")
    direction = serializers.ChoiceField(choices=["ltr", "rtl"], help_text="Its writing direction.")


class LanguagesView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @schema.operation(
        summary="The offered languages",
        description="The languages server messages, mail and the browser app come in, each with its name in its "
        "own language and its writing direction. Public, the same for everyone, cacheable for "
        f"{MAX_AGE} seconds.",
        responses={200: LanguageSerializer(many=True)},
        errors={},
        auth=schema.PUBLIC,
    )
    def get(self, request):
        response = Response(LanguageSerializer(language.offered(), many=True).data)
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response
