"""The server's catalogs keep up with the code: every message translated in every language, placeholders intact.

The code's messages are what ``manage.py catalogs`` (makemessages with the
project's options) extracts, so a message added without running it, or run
without translating the result, fails here.
"""
import subprocess

import pytest

from accounts.management.commands.catalogs import extracted_messages
from tests.language.catalogs import CATALOG_LANGUAGES, LOCALE, Entry, catalog, parse, placeholders


@pytest.fixture(scope="module")
def code_messages() -> list[Entry]:
    messages = parse(extracted_messages())
    assert len(messages) > 200, "the extraction found the code's messages"
    return messages


def test_a_catalog_folder_for_each_offered_language_but_english(settings):
    folders = {path.name.lower().replace("_", "-") for path in LOCALE.iterdir() if path.is_dir()}

    assert folders == {code for code, _name in settings.LANGUAGES} - {"en"}
    assert set(CATALOG_LANGUAGES) == {path.name for path in LOCALE.iterdir() if path.is_dir()}


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_every_message_of_the_code_is_translated_and_none_is_fuzzy(code_messages, language):
    entries = {(entry.msgid, entry.msgid_plural): entry for entry in catalog(language) if not entry.obsolete}

    missing = [message.msgid for message in code_messages if (message.msgid, message.msgid_plural) not in entries]
    untranslated = [key[0] for key, entry in entries.items() if not all(entry.translations)]
    fuzzy = [key[0] for key, entry in entries.items() if "fuzzy" in entry.flags]

    assert missing == [], f"not in locale/{language} (run `make messages`, then translate)"
    assert untranslated == [], f"empty translations in locale/{language}"
    assert fuzzy == [], f"fuzzy entries in locale/{language}: check and unmark them"


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_placeholders_are_the_same_in_every_translation(language):
    wrong = []
    for entry in catalog(language):
        for index, translation in enumerate(entry.translations):
            source = entry.msgid_plural if entry.msgid_plural and index else entry.msgid
            expected = placeholders(source)
            # One of several plural forms may leave the number out ("one file"), never put another in.
            ok = placeholders(translation) == expected or (
                entry.msgid_plural and set(placeholders(translation)) < set(expected) and "%d" not in expected
            )
            if not ok:
                wrong.append((entry.msgid, index, translation))

    assert wrong == []


def test_the_placeholder_check_catches_a_lost_or_renamed_placeholder():
    good, renamed, lost = (
        parse(f'msgid "Hello %(name)s, {{count}} left"\nmsgstr "{text}"\n')[0]
        for text in ("Hallo %(name)s, {count} übrig", "Hallo %(nom)s, {count} übrig", "Hallo, {count} übrig")
    )

    assert placeholders(good.msgstr) == placeholders(good.msgid)
    assert placeholders(renamed.msgstr) != placeholders(renamed.msgid)
    assert placeholders(lost.msgstr) != placeholders(lost.msgid)


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_gettext_accepts_each_catalog(language):
    # msgfmt --check: the header, the plural forms, and the format of every python-format entry.
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


def test_arabic_has_its_six_plural_forms():
    plural = [entry for entry in catalog("ar") if entry.msgid_plural]

    assert plural and all(len(entry.msgstr_plural) == 6 for entry in plural)
