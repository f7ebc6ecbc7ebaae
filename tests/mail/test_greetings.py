"""Every mail opens with a greeting, then a sentence that starts with a capital (issue 19, item 16)."""
import re
from pathlib import Path

import pytest

from accounts.mail.outbox import render

TEMPLATES = Path(__file__).resolve().parents[2] / "accounts" / "templates" / "accounts" / "mail"
NAMES = sorted(p.name[: -len(".subject.txt")] for p in TEMPLATES.glob("*.subject.txt"))


class _User:
    email = "newbie1@example.com"

    def get_username(self):
        return "newbie1"


CONTEXT = {
    "user": _User(), "link": "https://gatehouse.test/x#token=t", "ttl": "3 days", "ttl_minutes": 60,
    "new_email": "new@example.com", "old_email": "old@example.com", "ip_address": "203.0.113.1",
    "device": "Firefox on Linux", "name": "key", "count": 1, "prefix": "gat_0000", "remaining": None,
    "subject": "Two-step sign-in was turned on", "sentence": "two-step sign-in was turned on for your account",
    "site_url": "https://gatehouse.test",
}


@pytest.mark.parametrize("name", NAMES)
def test_the_first_sentence_after_the_greeting_starts_with_a_capital(name):
    # Repro: mail opened "Hello newbie1,\n\nplease…".
    subject, text, html = render(name, CONTEXT)
    assert text.startswith("Hello newbie1,\n\n")
    first = text.split("\n\n", 1)[1].lstrip()
    assert first[0].isupper() or first[0].isdigit(), first[:40]
    paragraphs = re.findall(r"<p>(.*?)</p>", html, re.S)
    assert paragraphs[0] == "Hello newbie1,"
    assert paragraphs[1].lstrip()[0].isupper(), paragraphs[1][:40]
