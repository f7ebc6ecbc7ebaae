"""``manage.py catalogs``: bring ``locale/<lang>/LC_MESSAGES/django.po`` up to date with the code's messages.

``makemessages`` with the project's options, so a run changes only what the
code changed: the folders that hold no server messages are left out (the
tests, the browser app's modules, whose catalogs are JSON, installed
packages; the app's HTML shell, ``frontend/index.html``, is the server's and
stays in), and the
catalogs keep no line numbers and no wrapping (a moved line is no change, a
merge of two branches touches only their own messages). With no ``--locale``
every catalog in ``locale/`` is updated. ``make messages`` runs it;
``make install`` compiles the result (``compilemessages``).

``extracted_messages()`` is the same extraction without writing a catalog:
the test that every message of the code is translated compares against it.
"""
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import makemessages

IGNORED = [
    "tests/*", "frontend/static/*", "frontend/client/*", "frontend/tests/*", "bench/*", "deploy/*", "scripts/*", "docs/*", "locale/*", "staticfiles/*",
    "test-artifacts/*", "*/node_modules/*",
]


class Command(makemessages.Command):
    help = "Update the translation catalogs in locale/ from the code's messages (makemessages, the project's way)."
    # A new message starts empty, never as a "fuzzy" guess from a similar old one: a guess would be a wrong
    # translation that only the fuzzy flag keeps off the screen, and is easy to miss when filling the catalog.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *IGNORED]
        options["no_location"] = True
        options["no_wrap"] = True
        if not options.get("locale") and not options.get("exclude"):
            options["all"] = True
        with _in_project():
            return super().handle(*args, **options)


class _Extraction(Command):
    """Keeps the extracted template (the .pot) instead of merging it into a catalog."""

    pot = ""

    def write_po_file(self, potfile, locale):
        self.pot = Path(potfile).read_text(encoding="utf-8")


def extracted_messages() -> str:
    """The .pot text of every message the code marks for translation (the catalogs are left alone)."""
    extraction = _Extraction()
    # One locale is needed for makemessages to reach write_po_file; the .pot it builds is removed afterwards.
    call_command(extraction, locale=[settings.LANGUAGE_CODE], verbosity=0)
    return extraction.pot


@contextmanager
def _in_project():
    """makemessages reads the current directory: run it from the project's root."""
    before = os.getcwd()
    os.chdir(settings.BASE_DIR)
    try:
        yield
    finally:
        os.chdir(before)
