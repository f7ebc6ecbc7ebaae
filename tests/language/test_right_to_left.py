"""Arabic lines that quote left-to-right text (an API path, a method) keep it in one piece, read from its start.

Repro: the scopes' descriptions on the account page read "(GET /api/auth/me/)"
as "(/GET /api/auth/me)" in Arabic: the bidi algorithm moved the slashes and
the parenthesis. A left-to-right isolate (U+2066 … U+2069) around the quoted
text keeps it as written; the app's ``code`` elements get the same from
styles.css (``unicode-bidi: isolate``).
"""
import re

from tests.language.glossary import translations

QUOTED_PATH = re.compile(r"(?:GET|POST|PATCH|PUT|DELETE) /[\w/]+/?")


def not_isolated(texts) -> list[str]:
    found = []
    for where, text in texts:
        for match in QUOTED_PATH.finditer(text):
            before, after = text[:match.start()], text[match.end():]
            if not (before.endswith("\u2066") and re.match(r"[^\u2069]*\u2069", after)):
                found.append(f"{match.group(0)!r} in {where[:70]!r}")
    return found


def test_arabic_isolates_the_api_paths_it_quotes():
    assert not_isolated(translations("ar")) == []


def test_the_check_finds_a_path_left_bare():
    assert not_isolated([("x", "قراءة الاسم (GET /api/auth/me/).")]) == ["'GET /api/auth/me/' in 'x'"]
    assert not_isolated([("x", "قراءة الاسم (\u2066GET /api/auth/me/\u2069).")]) == []
