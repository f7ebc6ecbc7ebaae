"""Passkey autofill on the login page (issue 22, item 5), in Chromium with its virtual authenticator.

The username field asks for ``autocomplete="username webauthn"``; where
``PublicKeyCredential.isConditionalMediationAvailable()`` is true, the page
starts ``navigator.credentials.get({mediation: "conditional"})`` in the
background with fresh options, and aborts it when the password form is sent
or the page is left.
"""
from playwright.sync_api import expect

from accounts.models import RefreshSession
from tests.browser.conftest import log_in_through_ui, wait_until
from tests.browser.test_passkeys import add_passkey, passkey_site, virtual_authenticator  # noqa: F401
from tests.conftest import PASSWORD

# Records each credentials.get() the page makes, and how it ends, before the app's scripts run.
RECORD_GETS = """
window.__gets = [];
const original = navigator.credentials.get.bind(navigator.credentials);
navigator.credentials.get = (request) => {
  const entry = { mediation: request.mediation || null, hasSignal: !!request.signal, aborted: false, settled: null };
  window.__gets.push(entry);
  if (request.signal) request.signal.addEventListener('abort', () => { entry.aborted = true; });
  return original(request).then(
    (value) => { entry.settled = 'resolved'; return value; },
    (error) => { entry.settled = error.name; throw error; },
  );
};
"""


def gets(page):
    return page.evaluate("window.__gets")


def test_the_username_field_offers_passkeys_and_a_conditional_request_waits(page, passkey_site):
    page.add_init_script(RECORD_GETS)
    virtual_authenticator(page, autofill=True)
    page.goto("/login")
    field = page.get_by_test_id("login-form").locator('input[name="username"]')

    expect(field).to_have_attribute("autocomplete", "username webauthn")
    assert page.evaluate("PublicKeyCredential.isConditionalMediationAvailable()") is True
    wait_until(lambda: gets(page), what="the conditional request")
    (request,) = gets(page)
    assert request["mediation"] == "conditional" and request["hasSignal"]
    expect(page.get_by_test_id("passkey-login")).to_be_visible()  # the explicit button stays


def test_sending_the_password_form_aborts_the_pending_conditional_request(page, user, passkey_site):
    page.add_init_script(RECORD_GETS)
    virtual_authenticator(page, autofill=True)
    page.goto("/login")
    wait_until(lambda: gets(page), what="the conditional request")

    form = page.get_by_test_id("login-form")
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("current-user")).to_have_text("alice")
    (request,) = gets(page)  # the app changes pages without loading one: the record stays
    assert request["aborted"] is True


def test_leaving_the_login_page_aborts_the_pending_conditional_request(page, passkey_site, smtp_server):
    page.add_init_script(RECORD_GETS)
    virtual_authenticator(page, autofill=True)
    page.goto("/login")
    wait_until(lambda: gets(page), what="the conditional request")

    page.get_by_test_id("login-code-link").click()

    expect(page.get_by_test_id("login-code-form")).to_be_visible()
    assert gets(page)[0]["aborted"] is True


def test_picking_a_passkey_in_the_autofill_signs_in(page, user, passkey_site):
    """Chromium's virtual authenticator answers a conditional request with its passkey at once, as a user
    picking it from the username field's list would: the page signs in without the button being clicked."""
    page.add_init_script(RECORD_GETS)
    virtual_authenticator(page, autofill=True)
    log_in_through_ui(page)  # no passkey yet: the background request waits, and the password form aborts it
    add_passkey(page, "This laptop")

    page.get_by_test_id("logout").click()

    expect(page.get_by_test_id("current-user")).to_have_text("alice")
    # The first login page may have been left before its background request started (a busy machine): what
    # holds is that any earlier request was aborted, and the last one is the conditional one that signed in.
    *earlier, last = gets(page)
    assert all(entry["aborted"] for entry in earlier), earlier
    assert last["mediation"] == "conditional" and last["settled"] == "resolved"
    live = RefreshSession.objects.filter(revoked_at__isnull=True)
    wait_until(lambda: live.count() == 1, what="the passkey's session")
    assert live.get().amr.split() == ["hwk", "mfa"]
