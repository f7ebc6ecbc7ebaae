"""The session changelist at scale: a bounded count, index-served pages, IP prefixes as ranges.

Timing is for ``python -m bench.scale``; these tests pin what keeps each of
its six views fast at a million sessions, which does not depend on the
machine: the count stops early, and the database's plan for each page reads
the index meant for it (``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on
PostgreSQL with sequential scans off, as in ``tests/test_scale.py``).
"""
import ipaddress

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.admin import changelist
from accounts.admin.common import ip_prefix_ranges
from accounts.limits.net import ClientInfo
from accounts.models import RefreshSession, RevocationReason
from accounts.sessions import lifecycle
from tests.test_scale import full_scan_of, plan, seed

pytestmark = pytest.mark.django_db(transaction=True)

SESSIONS = "/admin/accounts/refreshsession/"
TABLE = RefreshSession._meta.db_table


@pytest.fixture
def admin_browser(make_user):
    browser = Client()
    browser.force_login(make_user("root", is_staff=True, is_superuser=True))
    return browser


def page_statements(browser, url):
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200, url
    return response, [query["sql"] for query in queries.captured_queries if TABLE in query["sql"]]


def list_statement(statements):
    """The SELECT of the page's rows (ordered, one page)."""
    return next(sql for sql in statements if sql.startswith(f'SELECT "{TABLE}"."id"') and "ORDER BY" in sql)


def count_statement(statements):
    return next(sql for sql in statements if sql.startswith("SELECT COUNT(*)"))


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the count stops early ------------------------------------------------------------


def test_the_changelist_counts_at_most_a_bound_past_the_page_and_says_more_than(admin_browser, monkeypatch):
    monkeypatch.setattr(changelist, "COUNT_AHEAD", 150)
    seed(320, users=4)

    response, statements = page_statements(admin_browser, SESSIONS)

    count = count_statement(statements)
    assert "LIMIT 151" in count, "a COUNT of a slice, never of the whole table"
    page = response.content.decode()
    assert "more than 150 sessions" in page
    assert "Select all sessions (more than 150)" in page
    assert len(response.context["cl"].result_list) == 100
    # Every page stays reachable: from page 2 the count reaches further.
    response = admin_browser.get(SESSIONS, {"p": 4})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 20
    assert "320 sessions" in response.content.decode()


def test_below_the_bound_the_changelist_shows_the_exact_count(admin_browser):
    seed(130, users=4)

    response = admin_browser.get(SESSIONS)

    page = response.content.decode()
    assert "130 sessions" in page and "more than" not in page
    assert "Select all 130 sessions" in page


def test_the_date_range_is_two_index_probes_not_min_and_max_in_one_select(admin_browser):
    seed(50, users=4)

    _, statements = page_statements(admin_browser, SESSIONS)

    assert not any("MIN(" in sql and "MAX(" in sql for sql in statements), "SQLite reads the whole index for both"
    bounds = next(sql for sql in statements if sql.startswith("SELECT (SELECT"))
    assert bounds.count("LIMIT 1") == 3


# --- each view reads its index -------------------------------------------------------


def test_one_users_active_sessions_are_read_through_the_user_index(admin_browser):
    seed(3000, users=30)
    analyze()
    user_id = RefreshSession.objects.values_list("user_id", flat=True).first()

    _, statements = page_statements(admin_browser, f"{SESSIONS}?user__id__exact={user_id}&status=active")

    for sql in (list_statement(statements), count_statement(statements)):
        text = plan(sql)
        assert "session_user_active_idx" in text, text
        assert not full_scan_of(TABLE, text), text


def test_the_revoked_list_reads_its_partial_index_newest_first(admin_browser):
    seed(3000, users=30)
    analyze()

    _, statements = page_statements(admin_browser, f"{SESSIONS}?status=revoked")

    text = plan(list_statement(statements))
    assert "session_revoked_created_idx" in text, text
    assert "TEMP B-TREE" not in text and "Sort" not in text, f"sorted instead of read in order:\n{text}"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the hint is for SQLite's planner")
def test_on_sqlite_the_active_list_walks_the_creation_index_instead_of_sorting(admin_browser):
    seed(3000, users=30)
    analyze()

    _, statements = page_statements(admin_browser, f"{SESSIONS}?status=active")

    sql = list_statement(statements)
    assert "likelihood(" in sql
    text = plan(sql)
    assert "session_created_id_idx" in text and "TEMP B-TREE" not in text, text


def test_an_ip_prefix_is_a_range_of_each_indexed_address_column(admin_browser):
    seed(3000, users=30)
    analyze()

    _, statements = page_statements(admin_browser, f"{SESSIONS}?q=10.1.2.")

    for sql in (list_statement(statements), count_statement(statements)):
        assert "LIKE" not in sql
        text = plan(sql)
        assert "session_ip_idx" in text and "session_moved_ip_idx" in text, text
        assert not full_scan_of(TABLE, text), text


# --- what the IP search finds ----------------------------------------------------------


def start(user, ip, agent, last_ip=None):
    lifecycle.start_session(user=user, client=ClientInfo(ip_address=ip, user_agent=agent))
    session = RefreshSession.objects.get(user_agent=agent)
    if last_ip is not None:
        RefreshSession.objects.filter(pk=session.pk).update(last_ip_address=last_ip)
    return session


@pytest.mark.parametrize(
    "query, expected",
    [
        ("198.51.1", {"one", "ten", "hundred"}),  # the addresses whose text starts so, as before
        ("198.51.10", {"ten", "hundred"}),
        ("198.51.100.", {"hundred"}),
        ("198.51.100.7", {"hundred"}),  # a whole address: exact
        ("198.51.100.70", set()),
        ("203.0.113.", {"moved"}),  # the latest address of a session that moved
        ("192.0.2.", {"moved", "unknown-start"}),  # its sign-in address; the latest of one signed in from nowhere
        ("2001:db8:", {"v6", "v6-elsewhere"}),
        ("2001:DB8:0:", {"v6"}),  # case-insensitive
        ("2001:db9:", set()),
        # Repro: on SQLite the raised bound parsed as an address and was normalised
        # ("2001:db8:0:" + ":" read "2001:db8::"; "0:" + ":" read "::"), taking in others.
        ("2001:db8:0:9", set()),
        ("0:9", set()),
        ("198.051.", set()),  # no address is written with a leading zero
        ("10.", set()),
    ],
)
def test_ip_search_matches_sign_in_and_latest_addresses_by_prefix(admin_browser, make_user, query, expected):
    alice = make_user("alice")
    start(alice, "198.51.1.9", "one")
    start(alice, "198.51.10.9", "ten")
    start(alice, "198.51.100.7", "hundred")
    start(alice, "192.0.2.5", "moved", last_ip="203.0.113.8")
    start(alice, "2001:db8:0:1::5", "v6")
    start(alice, "2001:db8:1::5", "v6-elsewhere")
    start(alice, None, "unknown-start", last_ip="192.0.2.77")
    start(alice, "198.52.1.1", "elsewhere")

    response = admin_browser.get(SESSIONS, {"q": query})

    assert response.status_code == 200
    assert {session.user_agent for session in response.context["cl"].result_list} == expected


def test_prefix_ranges_cover_exactly_the_addresses_whose_text_starts_with_the_prefix():
    addresses = [ipaddress.IPv4Address(f"10.{a}.{b}.{c}") for a in (0, 1, 2, 9, 10, 19, 25, 100, 199, 250, 255)
                 for b in (0, 1, 2, 25, 200) for c in (0, 7, 255)]
    for prefix in ("10.1", "10.1.", "10.2", "10.25", "10.25.2", "10.0", "10.0.", "10.255.25", "10.1.2.2"):
        ranges = ip_prefix_ranges(prefix)
        for address in addresses:
            assert any(first <= address <= last for first, last in ranges) == str(address).startswith(prefix), (
                prefix, address,
            )
    assert ip_prefix_ranges("198.51.100.") == [
        (ipaddress.IPv4Address("198.51.100.0"), ipaddress.IPv4Address("198.51.100.255"))
    ]
    assert ip_prefix_ranges("2001:db8:") == [
        (ipaddress.IPv6Address("2001:db8::"), ipaddress.IPv6Address("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))
    ]
    assert ip_prefix_ranges("256.") == [] and ip_prefix_ranges("1.2.3.4.") == [] and ip_prefix_ranges("01.") == []
    assert ip_prefix_ranges("fe80::1:") is None  # after "::" the groups are not at known places


def test_revoking_from_the_list_still_works_with_the_bounded_count(admin_browser, make_user):
    alice = make_user("alice")
    sessions = [start(alice, "198.51.100.1", f"agent-{i}") for i in range(3)]

    response = admin_browser.post(
        SESSIONS,
        {"action": "revoke_selected_sessions", "_selected_action": [str(s.pk) for s in sessions[:2]]},
        follow=True,
    )

    assert response.status_code == 200
    revoked = RefreshSession.objects.filter(revoked_reason=RevocationReason.ADMIN_REVOKED)
    assert set(revoked.values_list("pk", flat=True)) == {s.pk for s in sessions[:2]}


@pytest.mark.parametrize("page", ["99999999999999999", "1000000000000", "-5", "x"])
def test_an_absurd_page_number_is_an_answer_not_a_500(admin_browser, page):
    # Repro: ?p=99999999999999999 overflowed the bounded count's LIMIT (a 500 on both databases).
    response = admin_browser.get(f"{SESSIONS}?p={page}")
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("term", ["1" * 4301 + ".", "1" * 5000, "a" * 5000 + ":", "\x00", "ali\x00ce"])
def test_odd_search_terms_are_searched_not_a_500(admin_browser, term):
    response = admin_browser.get(SESSIONS, {"q": term})
    assert response.status_code == 200


def test_revoking_many_sessions_at_once_costs_the_same_statements_as_revoking_a_few(make_user):
    # Repro: the admin's action ran a transaction per session (UPDATE, event INSERT): minutes for "Select all".
    from accounts.models import SecurityEvent, SecurityEventKind

    root, alice = make_user("root", is_staff=True, is_superuser=True), make_user("alice")
    client = ClientInfo("192.0.2.5", "admin browser")
    counts = []
    for many in (3, 40):
        for _ in range(many):
            lifecycle.start_session(user=alice, client=client)
        with CaptureQueriesContext(connection) as queries:
            revoked = lifecycle.revoke_sessions(
                sessions=RefreshSession.objects.all(), reason=RevocationReason.ADMIN_REVOKED, actor=root, client=client
            )
        assert revoked == many
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert not RefreshSession.objects.active().exists()
    events = SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_REVOKED)
    assert events.count() == 43
    assert set(events.values_list("user_id", "username", "actor_id", "reason", "ip_address")) == {
        (alice.pk, "alice", root.pk, RevocationReason.ADMIN_REVOKED, "192.0.2.5")
    }
    assert set(events.values_list("session_id", flat=True)) == set(RefreshSession.objects.values_list("pk", flat=True))


def test_revoking_in_batches_revokes_every_session(make_user):
    alice = make_user("alice")
    for _ in range(7):
        lifecycle.start_session(user=alice, client=ClientInfo("192.0.2.5", "x"))
    revoked = lifecycle.revoke_sessions(
        sessions=RefreshSession.objects.all(), reason=RevocationReason.ADMIN_REVOKED, batch_size=3
    )
    assert revoked == 7 and not RefreshSession.objects.active().exists()
