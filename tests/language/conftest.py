import pytest
from django.core.management import call_command

from tests.language.catalogs import CATALOG_LANGUAGES, LOCALE


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs():
    """The .mo files as `make install` builds them, for a run started without it (compilemessages skips fresh ones)."""
    stale = [
        language for language in CATALOG_LANGUAGES
        if not (mo := LOCALE / language / "LC_MESSAGES" / "django.mo").exists()
        or mo.stat().st_mtime < (LOCALE / language / "LC_MESSAGES" / "django.po").stat().st_mtime
    ]
    if stale:
        call_command("compilemessages", locale=stale, verbosity=0)
