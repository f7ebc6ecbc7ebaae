"""One reader of user agents: the server's label is what the admin and the app show."""
import json
from pathlib import Path

import pytest

from accounts.useragent import describe, device_family

TABLE = json.loads((Path(__file__).parent / "useragents.json").read_text())


@pytest.mark.parametrize("row", TABLE, ids=[row["device"] for row in TABLE])
def test_real_user_agents_read_as_the_app_shows_them(row):
    # The same table feeds frontend/tests/ua-format.test.js: the app shows these fields verbatim.
    device = describe(row["user_agent"])
    assert (device.label, device.kind) == (row["device"], row["device_kind"])


def test_headless_chrome_is_not_safari_on_linux():
    # Repro (issue 19, item 14): the server said "Safari on Linux" while the app said "Headless Chrome".
    headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"

    assert device_family(headless) == "Headless Chrome on Linux"


def test_a_notice_still_reads_within_a_sentence():
    assert device_family("Mozilla/5.0 (X11; Linux x86_64) SomeEngine/1.0") == "a browser on Linux"
    assert device_family("") == "an unknown client"
