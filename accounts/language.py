"""The language of an answer: the account's saved one, else the request's ``Accept-Language``, else English.

``LanguageMiddleware`` activates the request's language before the view runs
and states it on the answer (``Content-Language``, ``Vary: Accept-Language``).
Who is signed in is known only once DRF authenticates, inside the view: the
authentication classes call ``activate_saved`` with the user they have just
loaded, so the saved language wins without a second check of the token.
"""
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def offered() -> list[dict]:
    """The offered languages: ``code``, ``name`` in that language, and the writing ``direction``."""
    answer = []
    for code, _english in settings.LANGUAGES:
        info = translation.get_language_info(code)
        answer.append({"code": code, "name": info["name_local"], "direction": "rtl" if info["bidi"] else "ltr"})
    return answer


def activate_saved(user) -> None:
    """Answer ``user`` in their saved language, if they saved one this site still offers."""
    saved = getattr(user, "language", "")
    if saved and saved in {code for code, _name in settings.LANGUAGES}:
        translation.activate(saved)


def for_user(user) -> str:
    """The language to write to ``user`` in when no request is there to ask (mail): saved, else the default."""
    saved = getattr(user, "language", "")
    if saved and saved in {code for code, _name in settings.LANGUAGES}:
        return saved
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Activate the request's language for the view; say which one the answer is in.

    Unlike Django's ``LocaleMiddleware`` it reads no language cookie and no
    URL prefix: an anonymous request is answered by its ``Accept-Language``
    alone. The previous language is restored afterwards, so nothing run later
    on this thread inherits the request's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with translation.override(self.requested(request)):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            # The view may have switched to the account's saved language (``activate_saved``).
            response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language",))
        return response

    @staticmethod
    def requested(request) -> str:
        """The best offered match of ``Accept-Language``, else ``LANGUAGE_CODE``."""
        header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        for code, _quality in translation.trans_real.parse_accept_lang_header(header):
            if code == "*":
                break
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
        return settings.LANGUAGE_CODE
