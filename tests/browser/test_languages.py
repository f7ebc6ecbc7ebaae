"""The app in the user's language: the login page in German and Arabic (right to left), the picker, the account's language.

Screenshots of the login page in de and ar at 1280 and 390 px go to
test-artifacts/ (German is the longest, Arabic right to left); axe-core
finds nothing serious in either.
"""
import re

import pytest
from playwright.sync_api import expect

from tests.browser import accessibility
from tests.browser.conftest import log_in_through_ui, screenshots

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_in(new_context):
    """A page in a browser whose preferred languages are `locale` (navigator.languages, Accept-Language)."""

    def make(locale):
        return new_context(locale=locale).new_page()

    return make


def test_the_login_page_follows_the_browser_language_german(browser_in, artifacts):
    page = browser_in("de-DE")
    page.goto("/login")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    form = page.get_by_test_id("login-form")
    expect(form.locator('button[type="submit"]')).to_have_text("Anmelden")
    expect(page.get_by_text("Benutzername oder E-Mail")).to_be_visible()
    expect(page.get_by_test_id("language-select")).to_have_value("de")
    screenshots(page, artifacts, "login-de")

    form.locator('button[type="submit"]').click()
    expect(page.get_by_text("Bitte füllen Sie beide Felder aus.")).to_be_visible()
    found = accessibility.violations(page, label="login (de)")
    assert not accessibility.failing(found), accessibility.report(found)


def test_the_login_page_in_arabic_is_right_to_left(browser_in, artifacts, user):
    page = browser_in("ar-EG")
    page.goto("/login")

    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    form = page.get_by_test_id("login-form")
    expect(form.locator('button[type="submit"]')).to_have_text("تسجيل الدخول")
    # Right to left: the username field's label starts at the right edge of the form.
    label = form.locator("label").first.bounding_box()
    box = form.bounding_box()
    assert abs((box["x"] + box["width"]) - (label["x"] + label["width"])) < 4, (box, label)
    screenshots(page, artifacts, "login-ar")

    # A wrong password: the server's answer is in Arabic too (the page shows its own words for a 401).
    form.locator('input[name="username"]').fill("alice")
    form.locator('input[name="password"]').fill("not the password")
    form.locator('button[type="submit"]').click()
    expect(page.get_by_text("اسم المستخدم أو كلمة المرور غير صحيحة.")).to_be_visible()
    found = accessibility.violations(page, label="login (ar)")
    assert not accessibility.failing(found), accessibility.report(found)


def test_the_picker_switches_the_page_and_is_remembered_while_signed_out(browser_in):
    page = browser_in("en-US")
    page.goto("/login")
    expect(page.get_by_test_id("login-form").locator('button[type="submit"]')).to_have_text("Sign in")

    page.get_by_test_id("language-select").select_option("fr")

    expect(page.get_by_test_id("login-form").locator('button[type="submit"]')).to_have_text("Se connecter")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.reload()
    expect(page.get_by_test_id("login-form").locator('button[type="submit"]')).to_have_text("Se connecter")
    assert page.evaluate("localStorage.getItem('language')") == "fr"


def test_a_choice_made_signed_in_is_saved_on_the_account_and_wins_over_the_browser(browser_in, user):
    page = browser_in("de-DE")
    log_in_through_ui(page)
    page.goto("/account")
    picker = page.get_by_test_id("language-select")
    expect(picker).to_have_value("de")
    # Repro (issue 25): the Profile form had a second language select beside the picker.
    expect(page.locator("select:has(option[value='ar'])")).to_have_count(1)
    expect(page.get_by_test_id("profile-section").get_by_test_id("language-select")).to_have_count(1)

    picker.select_option("ar")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    user.refresh_from_db()
    assert user.language == "ar"
    # Another browser, in German, signed in as the same account: the account's language wins.
    other = browser_in("de-DE")
    log_in_through_ui(other)
    expect(other.locator("html")).to_have_attribute("lang", "ar")


# The main pages end to end in German (the longest words) and Arabic (right to left): each page's own words,
# the header and the server's activity labels in the language, nothing of the English interface left on screen,
# screenshots at 1280 and 390 px, and no serious axe-core finding.
PAGES = {
    "de": {
        "signup": "Konto erstellen",
        "forgot": "Passwort vergessen?",
        "overview": "Willkommen, alice",
        "sessions": "Sitzungen",
        "account": "Konto",
        "nav": "Übersicht",
    },
    "ar": {
        "signup": "أنشئ حسابك",
        "forgot": "هل نسيت كلمة المرور؟",
        "overview": "مرحبًا، alice",
        "sessions": "الجلسات",
        "account": "الحساب",
        "nav": "نظرة عامة",
    },
}
# Words of the English interface that a translated page must not show (the username, device and browser names,
# codes and addresses are not words of the interface).
ENGLISH = re.compile(r"\b(?:Your|the|Sign in|Sign out|Loading|Sessions|Account|Overview|Password|passkey|Revoke|Save)\b")


def _no_english(page, where):
    text = page.locator("body").inner_text()
    left = sorted(set(ENGLISH.findall(text)))
    assert not left, f"{where}: English left on the page: {left}\n{text}"


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_main_pages_in_german_and_arabic(browser_in, artifacts, user, language):
    words = PAGES[language]
    direction = "rtl" if language == "ar" else "ltr"
    page = browser_in({"de": "de-DE", "ar": "ar-EG"}[language])

    for path, key, name in (("/signup", "signup", "signup"), ("/forgot-password", "forgot", "forgot-password")):
        page.goto(path)
        expect(page.get_by_test_id("page-title")).to_have_text(words[key])
        expect(page.locator("html")).to_have_attribute("dir", direction)
        _no_english(page, path)
        screenshots(page, artifacts, f"{name}-{language}")
        page.set_viewport_size({"width": 1280, "height": 900})
        found = accessibility.violations(page, label=f"{path} ({language})")
        assert not accessibility.failing(found), accessibility.report(found)

    log_in_through_ui(page)
    for path, key, name in (("/", "overview", "overview"), ("/sessions", "sessions", "sessions"),
                            ("/account", "account", "account")):
        page.goto(path)
        expect(page.get_by_test_id("page-title")).to_have_text(words[key])
        expect(page.get_by_role("navigation").first).to_contain_text(words["nav"])
        # Wait for what each page loads before it is read and photographed.
        expect(page.locator(".loading")).to_have_count(0, timeout=20000)
        _no_english(page, path)
        screenshots(page, artifacts, f"{name}-{language}")
        page.set_viewport_size({"width": 1280, "height": 900})
        found = accessibility.violations(page, label=f"{path} ({language})")
        assert not accessibility.failing(found), accessibility.report(found)


def test_without_javascript_the_page_says_so_in_the_browsers_language(new_context, artifacts):
    # Repro (issue 25, item 2): the <noscript> text was English whatever the browser asked for.
    page = new_context(locale="ar", java_script_enabled=False).new_page()
    page.goto("/login")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("p.noscript")).to_have_text("يحتاج Gatehouse إلى JavaScript ليعمل. فعّله من فضلك وأعد تحميل الصفحة.")
    screenshots(page, artifacts, "noscript-ar")
