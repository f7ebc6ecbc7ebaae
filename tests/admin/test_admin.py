"""The Django admin: users, sessions and security events.

Sessions are opened through the API (``log_in``), so what the admin shows and
revokes is what a real client holds; the effect of every admin action is
checked through the API too.
"""
import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl

import jwt
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from accounts.limits.net import ClientInfo
from accounts.models import RefreshSession, RevocationReason, SecurityEvent, SecurityEventKind
from accounts.sessions import lifecycle
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

SESSIONS = "/admin/accounts/refreshsession/"
EVENTS = "/admin/accounts/securityevent/"
USERS = "/admin/accounts/user/"


# --- helpers ------------------------------------------------------------------


@pytest.fixture
def browser_for(make_user):
    """A Django test client logged in to the admin as a new staff user with ``perms``."""

    def make(username="staff", *perms, superuser=False):
        user = make_user(username, is_staff=True, is_superuser=superuser)
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        browser = Client()
        browser.force_login(user)
        browser.user = user
        return browser

    return make


@pytest.fixture
def superuser(browser_for):
    return browser_for("root", superuser=True)


def _sid(device):
    """The id of the session behind a LoggedIn device (the ``sid`` of its access token)."""
    return jwt.decode(device.access, options={"verify_signature": False})["sid"]


def run_action(browser, url, action, pks, confirm=False, **extra):
    """POST a changelist action, as the action form does; ``extra`` goes to the request (e.g. REMOTE_ADDR).

    ``confirm``: as the action's confirmation page posts it ("Yes, I'm sure").
    """
    data = {"action": action, "_selected_action": [str(pk) for pk in pks]}
    if confirm:
        data["post"] = "yes"
    return browser.post(url, data, follow=True, **extra)


def session_inline(response):
    """The user page's inline of sessions (the page also has one of personal tokens)."""
    return next(inline for inline in response.context["inline_admin_formsets"] if inline.opts.model is RefreshSession)


def offered_actions(response):
    action_form = response.context.get("action_form")
    return {name for name, _ in action_form.fields["action"].choices if name} if action_form else set()


def secrets_of(device):
    """Everything that would let someone act as this device, if leaked."""
    session = RefreshSession.objects.get(pk=_sid(device))
    mac = device.refresh_token.rsplit(".", 1)[1]
    return {"refresh token": device.refresh_token, "mac": mac, "seed": session.token_seed, "access": device.access}


def assert_no_secrets(html, secrets):
    for name, secret in secrets.items():
        assert secret not in html, f"the {name} appears in the admin HTML"


def sessions_for(n, make_user):
    """``n`` sessions of ``n`` users, opened the way a login opens them."""
    sessions = []
    for i in range(n):
        user = make_user(f"user{i:03}")
        client = ClientInfo(ip_address=f"198.51.100.{i % 250}", user_agent=f"Agent/{i} (test)")
        sessions.append(lifecycle.start_session(user=user, client=client).session)
    return sessions


class _FormFields(HTMLParser):
    """The values a browser would submit for the form with ``form_id``."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[-1] = (self._textarea, self.data[-1][1] + data)


def form_data(html, form_id):
    parser = _FormFields(form_id)
    parser.feed(html)
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


# --- sessions: what the changelist and detail page show -------------------------


def test_session_changelist_shows_user_status_times_ip_and_a_short_user_agent(superuser, make_user, log_in):
    make_user("alice")
    long_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari/537.36"
    log_in("alice", HTTP_USER_AGENT=long_agent, REMOTE_ADDR="198.51.100.7")
    ended = log_in("alice")
    ended.post("/api/auth/logout-all/")
    log_in("alice")

    response = superuser.get(SESSIONS)

    assert response.status_code == 200
    html = response.content.decode()
    assert "alice" in html and "198.51.100.7" in html
    assert "Active" in html and "Revoked (Logged out everywhere)" in html
    assert long_agent[:30] in html and f'title="{long_agent}"' in html
    assert f">{long_agent}<" not in html  # shortened in the cell, whole in the tooltip
    assert response.context["cl"].show_full_result_count is False


def test_session_changelist_shows_expired_sessions_as_expired(superuser, make_user, log_in):
    make_user("alice")
    device = log_in("alice")
    RefreshSession.objects.filter(pk=_sid(device)).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = superuser.get(SESSIONS, {"status": "expired"})

    assert [str(session.pk) for session in response.context["cl"].result_list] == [_sid(device)]
    assert "Expired" in response.content.decode()
    assert device.refresh().status_code == 401


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "active"}, {"alice-phone", "bob-laptop"}),
        ({"status": "revoked"}, {"alice-old"}),
        ({"status": "expired"}, set()),
        ({"revoked_reason__exact": "logout"}, {"alice-old"}),
        ({"q": "bob"}, {"bob-laptop"}),
        ({"q": "alice@example.com"}, {"alice-phone", "alice-old"}),
        ({"q": "203.0.113.9"}, {"bob-laptop"}),
        ({"q": "198.51.100."}, {"alice-phone", "alice-old"}),
        ({"q": "alice 198.51.100.2"}, {"alice-old"}),
        ({"q": "example.com"}, {"alice-phone", "alice-old", "bob-laptop"}),
    ],
)
def test_session_changelist_filters_by_status_and_reason_and_searches_user_email_and_ip(
    superuser, make_user, log_in, query, expected
):
    make_user("alice")
    make_user("bob")
    log_in("alice", HTTP_USER_AGENT="alice-phone", REMOTE_ADDR="198.51.100.1")
    old = log_in("alice", HTTP_USER_AGENT="alice-old", REMOTE_ADDR="198.51.100.2")
    old.client.cookies["refresh_token"] = old.refresh_token
    old.client.post("/api/auth/logout/")
    log_in("bob", HTTP_USER_AGENT="bob-laptop", REMOTE_ADDR="203.0.113.9")

    response = superuser.get(SESSIONS, query)

    assert response.status_code == 200
    assert {session.user_agent for session in response.context["cl"].result_list} == expected


def test_session_changelist_drills_down_by_creation_date(superuser, make_user, log_in):
    make_user("alice")
    for day, agent in (("2025-12-31", "new-year-eve"), ("2026-01-15", "mid-jan"), ("2026-01-16", "next-day")):
        device = log_in("alice", HTTP_USER_AGENT=agent)
        RefreshSession.objects.filter(pk=_sid(device)).update(created_at=f"{day}T10:00:00Z")

    def hierarchy(**query):
        response = superuser.get(SESSIONS, {f"created_at__{part}": value for part, value in query.items()})
        assert response.status_code == 200
        links = re.findall(r'<nav class="toplinks">(.*?)</nav>', response.content.decode(), re.S)[0]
        agents = {session.user_agent for session in response.context["cl"].result_list}
        text = re.sub(r"<[^>]+>", " ", links).replace("&lsaquo;", "<")
        return re.sub(r"\s+", " ", text).strip(), agents

    assert hierarchy() == ("2025 2026", {"new-year-eve", "mid-jan", "next-day"})
    assert hierarchy(year=2026) == ("< All dates January 2026", {"mid-jan", "next-day"})
    links, agents = hierarchy(year=2026, month=1)
    assert links.startswith("< 2026 January 1 January 2") and links.endswith("January 16")
    assert agents == {"mid-jan", "next-day"}
    assert hierarchy(year=2026, month=1, day=15) == ("< January 2026 January 15", {"mid-jan"})


def test_session_detail_page_is_read_only(superuser, make_user, log_in):
    make_user("alice")
    session = RefreshSession.objects.get(pk=_sid(log_in("alice", HTTP_USER_AGENT="Phone")))
    url = f"{SESSIONS}{session.pk}/change/"

    response = superuser.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Phone" in html and "alice" in html
    assert 'name="user_agent"' not in html and 'name="_save"' not in html
    assert superuser.post(url, {"user_agent": "changed"}).status_code == 403
    assert superuser.get(f"{SESSIONS}add/").status_code == 403
    session.refresh_from_db()
    assert session.user_agent == "Phone"


def test_an_active_session_cannot_be_deleted_only_revoked(superuser, make_user, log_in):
    make_user("alice")
    device = log_in("alice")
    sid = _sid(device)

    assert superuser.get(f"{SESSIONS}{sid}/delete/").status_code == 403
    assert superuser.post(f"{SESSIONS}{sid}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" not in offered_actions(superuser.get(SESSIONS))
    assert device.get("/api/auth/me/").status_code == 200


def test_a_superuser_may_delete_an_ended_session(superuser, make_user, log_in):
    make_user("alice")
    device = log_in("alice")
    device.post("/api/auth/logout-all/")

    response = superuser.post(f"{SESSIONS}{_sid(device)}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not RefreshSession.objects.filter(pk=_sid(device)).exists()


# --- no secret in any admin page ----------------------------------------------------


def test_no_token_seed_or_mac_appears_in_any_admin_page(superuser, make_user, log_in):
    alice = make_user("alice")
    device = log_in("alice")
    ended = log_in("alice")
    ended.post("/api/auth/logout-all/")
    secrets = {**secrets_of(device), **{f"ended {k}": v for k, v in secrets_of(ended).items()}}
    event = SecurityEvent.objects.filter(session_id=_sid(device)).first()
    pages = [
        "/admin/",
        "/admin/accounts/",
        SESSIONS,
        f"{SESSIONS}?status=active",
        f"{SESSIONS}?q=alice",
        f"{SESSIONS}{_sid(device)}/change/",
        f"{SESSIONS}{_sid(device)}/history/",
        f"{SESSIONS}{_sid(ended)}/change/",
        f"{SESSIONS}{_sid(ended)}/delete/",
        USERS,
        f"{USERS}{alice.pk}/change/",
        EVENTS,
        f"{EVENTS}?user=alice",
        f"{EVENTS}{event.pk}/change/",
        "/admin/autocomplete/?app_label=accounts&model_name=securityevent&field_name=session&term=alice",
    ]

    for page in pages:
        response = superuser.get(page)
        assert response.status_code == 200, page
        assert_no_secrets(response.content.decode(), secrets)


# --- changelist lookups: an allow-list ------------------------------------------------

# (changelist, lookup, the secret or internal value it would reveal one character at a time)
PROBES = [
    (SESSIONS, "password_fingerprint__startswith", lambda session, user: session.password_fingerprint),
    (SESSIONS, "password_fingerprint__gt", lambda session, user: session.password_fingerprint),
    (SESSIONS, "token_seed__startswith", lambda session, user: session.token_seed),
    (SESSIONS, "token_seed__gt", lambda session, user: session.token_seed),
    (SESSIONS, "user__password__startswith", lambda session, user: user.password),
    (SESSIONS, "user__username_canonical__startswith", lambda session, user: user.username_canonical),
    (SESSIONS, "user__id__exact__startswith", lambda session, user: str(user.pk)),
    (USERS, "password__startswith", lambda session, user: user.password),
    (USERS, "username_canonical__startswith", lambda session, user: user.username_canonical),
    (USERS, "refresh_sessions__token_seed__startswith", lambda session, user: session.token_seed),
    (USERS, "refresh_sessions__password_fingerprint__startswith", lambda session, user: session.password_fingerprint),
    (EVENTS, "session__password_fingerprint__startswith", lambda session, user: session.password_fingerprint),
    (EVENTS, "session__token_seed__startswith", lambda session, user: session.token_seed),
    (EVENTS, "user__password__startswith", lambda session, user: user.password),
    (EVENTS, "user__refresh_sessions__token_seed__startswith", lambda session, user: session.token_seed),
]


def other_than(char):
    return next(c for c in "0123456789abcdefxyz$" if c != char)


@pytest.mark.parametrize("url, lookup, secret", PROBES, ids=[f"{url.split('/')[3]}?{lookup}" for url, lookup, _ in PROBES])
def test_no_changelist_lookup_outside_the_allow_list_is_an_oracle(browser_for, make_user, log_in, url, lookup, secret):
    # Repro: a view-only staff account recovered a superuser session's whole
    # password_fingerprint with ?password_fingerprint__startswith=<prefix>, one
    # character per few requests, by watching whether the row was listed.
    root = make_user("root", is_staff=True, is_superuser=True)
    session = RefreshSession.objects.get(pk=_sid(log_in("root")))
    value = secret(session, root)
    viewer = browser_for(
        "viewer", "accounts.view_refreshsession", "accounts.view_user", "accounts.view_securityevent"
    )

    right = viewer.get(url, {lookup: value[:1]})
    wrong = viewer.get(url, {lookup: other_than(value[0])})

    assert right.status_code == wrong.status_code == 400  # refused, so not applied
    assert right.content == wrong.content


def test_every_lookup_the_admins_own_filters_expect_is_allowed(superuser, make_user):
    from django.contrib import admin

    from accounts.models import User

    make_user("alice").groups.create(name="helpdesk")
    for model, url in ((RefreshSession, SESSIONS), (SecurityEvent, EVENTS), (User, USERS)):
        model_admin = admin.site._registry[model]
        changelist = superuser.get(url).context["cl"]
        expected = {name for spec in changelist.filter_specs for name in spec.expected_parameters()}
        if model_admin.date_hierarchy:
            expected |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
        assert expected <= model_admin.allowed_lookups, url


def _changelist_links(html, page):
    """Links of a page to one of the three changelists with a query string (filters, drill-downs, cross-links)."""
    page_path = page.split("?")[0]
    for href in re.findall(r'href="([^"]*\?[^"]*)"', html):
        href = unescape(href)
        path, _, query = (page_path + href if href.startswith("?") else href).partition("?")
        if path in (SESSIONS, EVENTS, USERS) and query:
            yield f"{path}?{query}"


def test_every_filter_drill_down_and_cross_link_the_admin_offers_still_works(browser_for, make_user, log_in):
    # The allow-list must not break the admin itself: follow every changelist
    # link it renders (sidebar filters, date hierarchy, user page -> sessions,
    # session page -> events), one per combination of parameter names.
    alice = make_user("alice")
    alice.groups.create(name="helpdesk")
    log_in("alice")
    old = log_in("alice")
    old.client.cookies["refresh_token"] = old.refresh_token
    old.client.post("/api/auth/logout/")
    RefreshSession.objects.filter(pk=_sid(old)).update(created_at="2025-12-31T10:00:00Z")
    viewer = browser_for(
        "viewer", "accounts.view_refreshsession", "accounts.view_user", "accounts.view_securityevent"
    )
    pending = [SESSIONS, EVENTS, USERS, f"{USERS}{alice.pk}/change/", f"{SESSIONS}{_sid(old)}/change/"]
    seen_shapes, followed = set(), 0
    while pending:
        page = pending.pop()
        response = viewer.get(page)
        assert response.status_code == 200, page  # not 400 (refused) nor a redirect to ?e=1
        followed += 1
        for link in _changelist_links(response.content.decode(), page):
            path, _, query = link.partition("?")
            shape = (path, frozenset(name for name, _ in parse_qsl(query) if name != "o"))
            if shape not in seen_shapes:
                seen_shapes.add(shape)
                pending.append(link)
        assert followed < 300

    names = {name for _, shape in seen_shapes for name in shape}
    assert {"user__id__exact", "status", "session__id__exact", "created_at__year", "created_at__month",
            "revoked_reason__exact", "kind__exact", "created_at__gte", "is_staff__exact", "groups__id__exact"} <= names


def test_the_links_from_a_user_to_their_sessions_and_from_a_session_to_its_events_filter(superuser, make_user, log_in):
    alice = make_user("alice")
    make_user("bob")
    phone = log_in("alice")
    ended = log_in("alice")
    ended.client.cookies["refresh_token"] = ended.refresh_token
    ended.client.post("/api/auth/logout/")
    log_in("bob")

    users_html = superuser.get(USERS).content.decode()
    (to_sessions,) = [link for link in _changelist_links(users_html, USERS) if f"user__id__exact={alice.pk}&" in link]
    listed = superuser.get(to_sessions).context["cl"].result_list
    assert [str(session.pk) for session in listed] == [_sid(phone)]

    session_html = superuser.get(f"{SESSIONS}{_sid(phone)}/change/").content.decode()
    (to_events,) = _changelist_links(session_html, SESSIONS)
    events = superuser.get(to_events).context["cl"].result_list
    assert [(event.kind, str(event.session_id)) for event in events] == [("login_succeeded", _sid(phone))]


def test_user_controlled_text_is_escaped(superuser, make_user, log_in, client):
    make_user("alice")
    log_in("alice", HTTP_USER_AGENT="<script>alert('ua')</script>")
    login(client, "<script>alert('name')</script>", "wrong")

    for page in (SESSIONS, EVENTS):
        html = superuser.get(page).content.decode()
        assert "<script>alert(" not in html
        assert "&lt;script&gt;alert(" in html


# --- sessions: the revoke action -------------------------------------------------------


def test_revoking_selected_sessions_cuts_their_refresh_and_access_tokens(superuser, make_user, log_in):
    make_user("alice")
    stolen = log_in("alice")
    kept = log_in("alice")

    response = run_action(superuser, SESSIONS, "revoke_selected_sessions", [_sid(stolen)], REMOTE_ADDR="192.0.2.5")

    assert response.status_code == 200
    assert "Revoked 1 session." in response.content.decode()
    assert stolen.get("/api/auth/me/").status_code == 401
    assert stolen.refresh().status_code == 401
    assert kept.get("/api/auth/me/").status_code == 200
    assert kept.refresh().status_code == 200
    session = RefreshSession.objects.get(pk=_sid(stolen))
    assert session.revoked_reason == RevocationReason.ADMIN_REVOKED


def test_revoking_a_session_records_an_event_naming_the_admin(superuser, make_user, log_in):
    alice = make_user("alice")
    device = log_in("alice")

    run_action(superuser, SESSIONS, "revoke_selected_sessions", [_sid(device)], REMOTE_ADDR="192.0.2.5")

    event = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_REVOKED)
    assert event.actor == superuser.user and event.user == alice
    assert str(event.session_id) == _sid(device)
    assert event.reason == RevocationReason.ADMIN_REVOKED
    assert event.ip_address == "192.0.2.5"
    html = superuser.get(EVENTS).content.decode()
    assert "Revoked by an administrator" in html and f"{USERS}{superuser.user.pk}/change/" in html


def test_revoking_sessions_that_already_ended_changes_nothing_and_says_so(superuser, make_user, log_in):
    make_user("alice")
    device = log_in("alice")
    device.post("/api/auth/logout-all/")
    before = SecurityEvent.objects.count()

    response = run_action(superuser, SESSIONS, "revoke_selected_sessions", [_sid(device)])

    assert "Revoked 0 sessions. 1 had already ended." in response.content.decode()
    assert RefreshSession.objects.get(pk=_sid(device)).revoked_reason == RevocationReason.LOGOUT_ALL
    assert SecurityEvent.objects.count() == before


# --- users --------------------------------------------------------------------------


def test_user_changelist_counts_active_sessions(superuser, make_user, log_in):
    make_user("alice")
    make_user("bob")
    log_in("alice")
    log_in("alice")
    log_in("alice").post("/api/auth/logout-all/")
    log_in("alice")
    log_in("alice")

    response = superuser.get(USERS)

    counts = {user.username: user.active_sessions for user in response.context["cl"].result_list}
    assert counts == {"alice": 2, "bob": 0, "root": 0}
    alice = next(user for user in response.context["cl"].result_list if user.username == "alice")
    assert f"{SESSIONS}?user__id__exact={alice.pk}&amp;status=active" in response.content.decode()


def test_user_change_page_lists_active_sessions_read_only(superuser, make_user, log_in):
    alice = make_user("alice")
    log_in("alice", HTTP_USER_AGENT="Phone")
    log_in("alice", HTTP_USER_AGENT="Old laptop").post("/api/auth/logout-all/")
    log_in("alice", HTTP_USER_AGENT="Tablet")

    response = superuser.get(f"{USERS}{alice.pk}/change/")

    inline = session_inline(response)
    assert {form.original.user_agent for form in inline} == {"Tablet"}
    html = response.content.decode()
    assert "Tablet" in html and "Old laptop" not in html
    assert 'name="refresh_sessions-0-user_agent"' not in html
    add_page = superuser.get(f"{USERS}add/")
    assert add_page.status_code == 200 and add_page.context["inline_admin_formsets"] == []


def test_revoke_all_sessions_ends_every_session_of_the_selected_users_only(superuser, make_user, log_in):
    alice = make_user("alice")
    make_user("bob")
    phone, laptop = log_in("alice"), log_in("alice")
    bobs = log_in("bob")

    response = run_action(superuser, USERS, "revoke_all_sessions", [alice.pk])

    assert "Revoked 2 sessions." in response.content.decode()
    for device in (phone, laptop):
        assert device.get("/api/auth/me/").status_code == 401
        assert device.refresh().status_code == 401
    assert bobs.get("/api/auth/me/").status_code == 200
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_REVOKED)
    assert (event.user, event.actor, event.reason) == (alice, superuser.user, RevocationReason.ADMIN_REVOKED)
    alice.refresh_from_db()
    assert alice.is_active


def test_deactivate_and_revoke_ends_sessions_and_records_one_event_naming_the_admin(
    superuser, make_user, log_in, client
):
    alice = make_user("alice")
    device = log_in("alice")

    response = run_action(superuser, USERS, "deactivate_and_revoke_sessions", [alice.pk], confirm=True)

    assert "Deactivated 1 user and revoked 1 session." in response.content.decode()
    alice.refresh_from_db()
    assert not alice.is_active
    assert device.get("/api/auth/me/").status_code == 401
    assert device.refresh().status_code == 401
    assert login(client, "alice").status_code == 401
    (event,) = SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_REVOKED)
    assert (event.actor, event.reason) == (superuser.user, RevocationReason.ADMIN_REVOKED)
    assert RefreshSession.objects.get().revoked_reason == RevocationReason.ADMIN_REVOKED


def test_an_admin_cannot_deactivate_themselves(superuser, log_in):
    response = run_action(superuser, USERS, "deactivate_and_revoke_sessions", [superuser.user.pk], confirm=True)

    assert "cannot deactivate yourself" in response.content.decode()
    superuser.user.refresh_from_db()
    assert superuser.user.is_active


def test_unticking_active_in_the_user_form_ends_sessions_and_names_the_admin(superuser, make_user, log_in):
    alice = make_user("alice")
    device = log_in("alice")
    url = f"{USERS}{alice.pk}/change/"
    data = form_data(superuser.get(url).content.decode(), "user_form")
    assert data.pop("is_active") == ["on"]

    response = superuser.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert not alice.is_active
    assert device.get("/api/auth/me/").status_code == 401
    assert device.refresh().status_code == 401
    (event,) = SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_REVOKED)
    assert (event.actor, event.reason) == (superuser.user, RevocationReason.USER_DEACTIVATED)


def test_an_address_typed_in_the_admin_is_unverified_again(superuser, make_user):
    # repro: a verified user's address edited in the admin → email_verified_at cleared; other edits keep it
    from django.utils import timezone

    alice = make_user("alice", email_verified_at=timezone.now())
    url = f"{USERS}{alice.pk}/change/"
    data = form_data(superuser.get(url).content.decode(), "user_form")
    data["first_name"] = ["Alice"]
    assert superuser.post(url, data).status_code == 302
    alice.refresh_from_db()
    assert alice.email_verified_at is not None
    data["email"] = ["alice@elsewhere.example"]
    assert superuser.post(url, data).status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@elsewhere.example" and alice.email_verified_at is None


def test_setting_a_password_in_the_admin_ends_every_session_and_names_the_admin(superuser, make_user, log_in):
    alice = make_user("alice")
    device = log_in("alice")
    url = f"{USERS}{alice.pk}/password/"
    new_password = "an admin-chosen passphrase"

    response = superuser.post(url, {"password1": new_password, "password2": new_password, "usable_password": "true"})

    assert response.status_code == 302
    assert device.get("/api/auth/me/").status_code == 401
    assert device.refresh().status_code == 401
    (event,) = SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_REVOKED)
    assert (event.actor, event.reason) == (superuser.user, RevocationReason.PASSWORD_CHANGED)


def test_saving_the_user_form_without_deactivating_leaves_sessions_alone(superuser, make_user, log_in):
    alice = make_user("alice")
    device = log_in("alice")
    url = f"{USERS}{alice.pk}/change/"
    data = form_data(superuser.get(url).content.decode(), "user_form")
    data["first_name"] = ["Alice"]

    assert superuser.post(url, data).status_code == 302
    assert device.get("/api/auth/me/").status_code == 200
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_REVOKED).exists()


# --- security events ----------------------------------------------------------------


def reuse_alarm(log_in):
    """Rotate twice, then replay the first token: the session is revoked as stolen."""
    device = log_in("alice")
    first = device.refresh_token
    assert device.refresh().status_code == 200
    assert device.refresh().status_code == 200
    assert device.refresh(first).status_code == 401
    return device


def test_a_reuse_alarm_stands_out_and_links_to_its_session_and_user(superuser, make_user, log_in):
    alice = make_user("alice")
    device = reuse_alarm(log_in)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.REUSE_DETECTED)

    html = superuser.get(EVENTS).content.decode()

    row = re.search(r'<tr>(?:(?!</tr>).)*Refresh token reuse detected(?:(?!</tr>).)*</tr>', html, re.S).group(0)
    assert "<strong" in row and "icon-alert.svg" in row and "<script" not in row
    assert f'href="{SESSIONS}{_sid(device)}/change/"' in row
    assert f'href="{USERS}{alice.pk}/change/"' in row
    detail = superuser.get(f"{EVENTS}{event.pk}/change/").content.decode()
    assert f'href="{SESSIONS}{_sid(device)}/change/"' in detail
    assert "Revoked (Refresh token reuse detected)" in superuser.get(SESSIONS).content.decode()


def test_events_filter_by_kind_typed_username_and_date_and_search_by_name_and_ip(
    superuser, make_user, log_in, client
):
    make_user("alice")
    make_user("bob")
    log_in("alice", REMOTE_ADDR="198.51.100.1")
    log_in("bob", REMOTE_ADDR="203.0.113.9")
    login(client, "alice", "wrong", REMOTE_ADDR="203.0.113.50")

    def shown(**query):
        response = superuser.get(EVENTS, query)
        assert response.status_code == 200
        return sorted((event.kind, event.username) for event in response.context["cl"].result_list)

    assert shown(user="alice") == [("login_succeeded", "alice")]
    assert shown(kind__exact="login_failed") == [("login_failed", "alice")]
    assert shown(q="alice") == [("login_failed", "alice"), ("login_succeeded", "alice")]
    assert shown(q="203.0.113.") == [("login_failed", "alice"), ("login_succeeded", "bob")]
    assert len(shown(created_at__gte="2000-01-01 00:00:00+00:00")) == 3
    assert shown(user="alice", kind__exact="login_failed") == []


def test_the_user_filter_is_a_text_box_not_a_list_of_every_user(superuser, make_user):
    for i in range(5):
        make_user(f"someone{i}")

    html = superuser.get(EVENTS, {"kind__exact": "logout"}).content.decode()

    assert 'name="user"' in html
    assert '<input type="hidden" name="kind__exact" value="logout">' in html
    assert "someone3" not in html


def test_events_cannot_be_added_or_changed_even_by_a_superuser(superuser, make_user, log_in):
    make_user("alice")
    log_in("alice")
    event = SecurityEvent.objects.get()
    url = f"{EVENTS}{event.pk}/change/"

    assert superuser.get(f"{EVENTS}add/").status_code == 403
    assert superuser.post(url, {"kind": "logout", "username": "mallory"}).status_code == 403
    html = superuser.get(url).content.decode()
    assert 'name="username"' not in html and 'name="_save"' not in html
    event.refresh_from_db()
    assert (event.kind, event.username) == (SecurityEventKind.LOGIN_SUCCEEDED, "alice")


def test_only_superusers_delete_events(superuser, browser_for, make_user, log_in):
    make_user("alice")
    log_in("alice")
    event = SecurityEvent.objects.get()
    staff = browser_for("staff", "accounts.view_securityevent", "accounts.delete_securityevent")

    assert "delete_selected" not in offered_actions(staff.get(EVENTS))
    assert staff.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" in offered_actions(superuser.get(EVENTS))
    assert superuser.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not SecurityEvent.objects.exists()


# --- permissions --------------------------------------------------------------------


def test_staff_without_view_permission_see_no_sessions_events_or_users(browser_for, make_user, log_in):
    alice = make_user("alice")
    device = log_in("alice")
    staff = browser_for("staff")
    event = SecurityEvent.objects.get()

    for url in (SESSIONS, f"{SESSIONS}{_sid(device)}/change/", EVENTS, f"{EVENTS}{event.pk}/change/", USERS,
                f"{USERS}{alice.pk}/change/"):
        assert staff.get(url).status_code == 403, url
    index = staff.get("/admin/").content.decode()
    assert SESSIONS not in index and EVENTS not in index and USERS not in index
    assert run_action(staff, SESSIONS, "revoke_selected_sessions", [_sid(device)]).status_code == 403
    assert device.get("/api/auth/me/").status_code == 200


def test_staff_who_may_only_view_sessions_get_no_revoke_action(browser_for, make_user, log_in):
    make_user("alice")
    device = log_in("alice")
    staff = browser_for("staff", "accounts.view_refreshsession")

    response = staff.get(SESSIONS)

    assert response.status_code == 200
    assert "revoke_selected_sessions" not in offered_actions(response)
    assert "Revoke selected sessions" not in response.content.decode()
    run_action(staff, SESSIONS, "revoke_selected_sessions", [_sid(device)])  # forged
    assert device.get("/api/auth/me/").status_code == 200
    assert RefreshSession.objects.get().revoked_at is None


def test_staff_with_the_revoke_permission_can_revoke_sessions(browser_for, make_user, log_in):
    make_user("alice")
    device = log_in("alice")
    staff = browser_for("staff", "accounts.view_refreshsession", "accounts.revoke_refreshsession")

    assert "revoke_selected_sessions" in offered_actions(staff.get(SESSIONS))
    run_action(staff, SESSIONS, "revoke_selected_sessions", [_sid(device)])

    assert device.get("/api/auth/me/").status_code == 401
    assert SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_REVOKED).actor == staff.user


@pytest.mark.parametrize(
    "perms, expected",
    [
        (["accounts.view_user", "accounts.change_user"], set()),
        (["accounts.view_user", "accounts.revoke_refreshsession"], {"revoke_all_sessions"}),
        (
            ["accounts.view_user", "accounts.change_user", "accounts.revoke_refreshsession"],
            {"revoke_all_sessions", "deactivate_and_revoke_sessions"},
        ),
    ],
)
def test_user_actions_need_the_revoke_permission_and_deactivation_also_change(browser_for, perms, expected):
    staff = browser_for("staff", *perms)

    offered = offered_actions(staff.get(USERS))

    assert offered & {"revoke_all_sessions", "deactivate_and_revoke_sessions"} == expected


def test_forged_user_actions_without_permission_change_nothing(browser_for, make_user, log_in):
    alice = make_user("alice")
    device = log_in("alice")
    staff = browser_for("staff", "accounts.view_user", "accounts.change_user")

    for action in ("revoke_all_sessions", "deactivate_and_revoke_sessions"):
        run_action(staff, USERS, action, [alice.pk], confirm=True)

    alice.refresh_from_db()
    assert alice.is_active
    assert device.get("/api/auth/me/").status_code == 200


def test_staff_who_cannot_view_sessions_see_no_session_inline_on_users(browser_for, make_user, log_in):
    alice = make_user("alice")
    log_in("alice", HTTP_USER_AGENT="Secret-Device")
    staff = browser_for("staff", "accounts.view_user")

    response = staff.get(f"{USERS}{alice.pk}/change/")

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"] == []
    assert "Secret-Device" not in response.content.decode()


# --- query budgets -----------------------------------------------------------------

# Session + user of the admin, the page's count, its rows, a handful of fixed
# extras (filters, date hierarchy, admin log) and the save of the admin's
# session that keeps it from idling out (an UPDATE, between SAVEPOINT and
# RELEASE in a test's transaction); never one per row. A user's page also
# reads their second factors, their personal access tokens (one query each) and
# their trusted devices (the inline's rows and its formset's count).
CHANGELIST_BUDGET = 8
CHANGE_PAGE_BUDGET = 17


@pytest.fixture
def hundred_sessions(make_user):
    sessions = sessions_for(100, make_user)
    admin = make_user("someadmin", is_staff=True)
    for session in sessions[:10]:
        lifecycle.revoke_session(session=session, reason=RevocationReason.ADMIN_REVOKED, actor=admin)
    return sessions


@pytest.mark.parametrize("url", [SESSIONS, f"{SESSIONS}?status=active&q=user", EVENTS, f"{EVENTS}?user=user001", USERS])
def test_changelists_of_100_rows_cost_a_bounded_number_of_queries(
    superuser, hundred_sessions, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(CHANGELIST_BUDGET) as queries:
        response = superuser.get(url)

    assert response.status_code == 200
    assert not any("token_seed" in query["sql"] for query in queries.captured_queries)
    if "user=" not in url and "q=" not in url:
        assert len(response.context["cl"].result_list) == 100


def test_change_pages_cost_a_bounded_number_of_queries(superuser, make_user, django_assert_max_num_queries):
    alice = make_user("alice")
    for i in range(60):
        lifecycle.start_session(user=alice, client=ClientInfo(ip_address="198.51.100.1", user_agent=f"Agent/{i}"))
    session = RefreshSession.objects.first()
    event = SecurityEvent.objects.first()
    lifecycle.revoke_session(session=session, reason=RevocationReason.ADMIN_REVOKED, actor=superuser.user)
    revoked_event = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_REVOKED)

    for url in (
        f"{SESSIONS}{session.pk}/change/",
        f"{EVENTS}{event.pk}/change/",
        f"{EVENTS}{revoked_event.pk}/change/",
        f"{USERS}{alice.pk}/change/",
    ):
        with django_assert_max_num_queries(CHANGE_PAGE_BUDGET) as queries:
            response = superuser.get(url)
        assert response.status_code == 200, url
        assert not any("token_seed" in query["sql"] for query in queries.captured_queries), url
    # The inline is capped, however many sessions the user has.
    inline = session_inline(response)
    assert len(list(inline)) == 50


# --- the admin login is slowed like the API login ------------------------------------


def admin_login(browser, username, password, ip="203.0.113.1"):
    data = {"username": username, "password": password, "next": "/admin/"}
    return browser.post("/admin/login/", data, REMOTE_ADDR=ip)


def test_admin_login_backs_off_after_failures_and_records_them(make_user):
    make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    for _ in range(6):
        assert admin_login(browser, "root", "wrong").status_code == 200

    response = admin_login(browser, "root", PASSWORD)

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many login attempts" in response.content.decode()
    assert browser.get("/admin/").status_code == 302  # still not logged in
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username="root").count() == 6


def test_admin_and_api_login_failures_count_together(make_user, client):
    make_user("root", is_staff=True, is_superuser=True)
    for _ in range(6):
        login(client, "root", "wrong", REMOTE_ADDR="203.0.113.1")

    assert admin_login(Client(), "root", PASSWORD).status_code == 429


def test_admin_login_still_works_and_showing_the_form_is_free(make_user):
    make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    for _ in range(50):
        assert browser.get("/admin/login/").status_code == 200

    response = admin_login(browser, "root", PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED, user__username="root").exists()


def test_admin_login_is_rate_limited_per_ip(make_user):
    from rest_framework.throttling import SimpleRateThrottle

    make_user("root", is_staff=True, is_superuser=True)
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "login_ip": "3/min"}
    try:
        for i in range(3):
            admin_login(Client(), f"nobody{i}", "wrong", ip="203.0.113.5")
        assert admin_login(Client(), "root", PASSWORD, ip="203.0.113.5").status_code == 429
        assert admin_login(Client(), "root", PASSWORD, ip="203.0.113.6").status_code == 302
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


def test_failures_count_even_for_someone_already_logged_in(superuser, make_user):
    make_user("other", is_staff=True)
    for _ in range(6):
        assert admin_login(superuser, "other", "wrong").status_code == 200

    assert admin_login(Client(), "other", PASSWORD).status_code == 429
