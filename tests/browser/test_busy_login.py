"""A sign-in refused because every password-hashing slot is taken (503 hashing_busy): said in words, sent again.

The live server runs the production hasher here, with one slot; the test
holds that slot as another process would, so the server itself refuses.
"""
import pytest
from playwright.sync_api import expect

from accounts.limits import admission
from accounts.limits.counters import counters
from tests.browser.conftest import screenshots
from tests.conftest import PASSWORD

SLOT = admission.KEY.format(0)


@pytest.fixture
def busy_server(settings, make_user):
    settings.PASSWORD_HASHERS = ["accounts.hashing.GatehouseArgon2PasswordHasher"]
    settings.GATEHOUSE = {**settings.GATEHOUSE, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8 * 1024,
                          "PASSWORD_HASH_SLOTS": 1, "PASSWORD_HASH_RETRY_AFTER": 1}
    make_user()  # hashed with that hasher
    assert counters.add(SLOT, "another process", 120)
    yield
    counters.delete(SLOT)


def submit_login(page):
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()


def test_a_busy_server_is_said_in_words_and_the_sign_in_goes_through_once_a_slot_is_free(
    page, busy_server, artifacts
):
    # Repro: a login beyond the server's hashing capacity waited in a worker (seconds) with GETs queued behind it.
    submit_login(page)
    wait = page.get_by_test_id("login-wait")
    expect(wait).to_contain_text("Many people are signing in right now. Trying again in")
    expect(page.get_by_test_id("form-error")).to_be_hidden()
    screenshots(page, artifacts, "login-busy")

    counters.delete(SLOT)  # the other process is done

    expect(page.get_by_test_id("current-user")).to_have_text("alice", timeout=30_000)
    expect(wait).to_have_count(0)


def test_a_server_busy_for_long_gets_its_message_shown_after_a_few_tries(page, busy_server):
    refusals = []
    page.on("response", lambda response: response.url.endswith("/api/auth/login/") and refusals.append(response))
    submit_login(page)
    expect(page.get_by_test_id("form-error")).to_contain_text(
        "Many sign-ins are being checked right now. Please try again in a moment.", timeout=30_000,
    )
    assert [response.status for response in refusals] == [503] * 4
    assert all(response.headers["retry-after"] == "1" for response in refusals)
    expect(page.get_by_test_id("login-wait")).to_be_hidden()
    expect(page.locator('button[type="submit"]')).to_be_enabled()
