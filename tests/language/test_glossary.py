"""Each language keeps one word per term (docs/translating.md's glossary): a second word for a term fails here.

The variants that must not appear are listed per language in
``tests/language/glossary.py``; the catalogs read are the app's
(frontend/static/app/locales/<lang>.json) and the server's
(locale/<lang>/LC_MESSAGES/django.po, which holds the mail's words too).
"""
import re
from pathlib import Path

import pytest

from tests.language.glossary import GLOSSARY, drift, translations

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "translating.md"


@pytest.mark.parametrize("language", sorted(GLOSSARY))
def test_no_second_word_for_a_term(language):
    assert drift(language, translations(language)) == []


@pytest.mark.parametrize("language", sorted(GLOSSARY))
def test_the_glossary_word_is_the_one_the_catalogs_use(language):
    # The chosen word is in use (a glossary that names a word no catalog has would be out of date).
    text = "\n".join(text for _where, text in translations(language)).lower()
    unused = [
        word for term, (word, _variants) in GLOSSARY[language].items()
        if not term.startswith(("tone", "typography")) and re.split(r" [(/]", word)[0].lower() not in text
    ]
    assert unused == []


def test_the_document_shows_each_language_s_words():
    doc = DOC.read_text(encoding="utf-8")
    missing = [
        (language, word)
        for language, terms in GLOSSARY.items() for word, _variants in terms.values() if word not in doc
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Ihre Session ist abgelaufen.", "session"),
        ("de", "Richten Sie die Anmeldung in zwei Schritten ein.", "two-step sign-in"),
        ("de", "Melde dich erneut an.", "tone: Sie"),
        ("fr", "Ajoutez une passkey.", "passkey"),
        ("es", "Introduzca su contraseña.", "tone: tú"),
        ("pt-br", "Use um código de backup.", "recovery code"),
        ("ar", "أدخل رمز الاستعادة.", "recovery code"),
    ],
)
def test_the_check_catches_a_second_word(language, text, expected):
    found = drift(language, [("example", text)])

    assert found and found[0].startswith(f"{expected}:")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an."),
        ("fr", "Ajoutez une clé d’accès."),
        ("es", "Introduce tu contraseña."),
        ("ar", "أدخل رمز الاسترداد."),
    ],
)
def test_the_check_leaves_the_glossary_words_alone(language, text):
    assert drift(language, [("example", text)]) == []
