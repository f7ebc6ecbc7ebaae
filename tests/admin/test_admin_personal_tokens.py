"""The admin for personal access tokens: list, search, revoke through the flows; never the digest."""
import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import RevocationReason, SecurityEvent, SecurityEventKind
from accounts.personal_tokens.models import PersonalAccessToken
from tests.admin.test_admin import USERS, form_data, run_action
from tests.personal_tokens.conftest import Script, create

pytestmark = pytest.mark.django_db

TOKENS = "/admin/accounts/personalaccesstoken/"


@pytest.fixture
def staff(make_user):
    def make(username, *codenames, superuser=False):
        user = make_user(username, is_staff=True, is_superuser=superuser)
        for codename in codenames:
            user.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename=codename))
        browser = Client()
        browser.force_login(user)
        browser.user = user
        return browser

    return make


@pytest.fixture
def root(staff):
    return staff("root", superuser=True)


@pytest.fixture
def alices_token(make_user, log_in):
    make_user("alice")
    return create(log_in("alice"), name="nightly backup").json()


def test_the_list_shows_name_user_prefix_and_status_and_no_page_holds_the_digest(root, alices_token):
    row = PersonalAccessToken.objects.get()
    Script(alices_token["token"]).get("/api/auth/me/", REMOTE_ADDR="203.0.113.5")
    secret = alices_token["token"].rsplit("_", 1)[1]

    for url in (TOKENS, f"{TOKENS}{row.pk}/change/", f"{USERS}{row.user_id}/change/"):
        html = root.get(url).content.decode()
        assert "nightly backup" in html and alices_token["prefix"] in html, url
        for secret_value in (row.digest, alices_token["token"], secret):
            assert secret_value not in html, url
    assert "203.0.113.5" in root.get(TOKENS).content.decode()


def test_the_list_the_token_page_and_the_user_page_show_the_tokens_scopes(root, make_user, log_in):
    # repro: the admin showed no scopes; now each page names them
    make_user("alice")
    create(log_in("alice"), name="reader", scopes=["profile:read"])
    row = PersonalAccessToken.objects.get()

    for url in (TOKENS, f"{TOKENS}{row.pk}/change/", f"{USERS}{row.user_id}/change/"):
        html = root.get(url).content.decode()
        assert "<code>profile:read</code>" in html, url
        assert "users:read" not in html, url


def test_search_by_username_email_or_the_token_start(root, alices_token, make_user, log_in):
    make_user("bob")
    create(log_in("bob"), name="bob's job")

    def names(query):
        return {token.name for token in root.get(TOKENS, {"q": query}).context["cl"].result_list}

    assert names("alice") == {"nightly backup"}
    assert names("bob@example") == {"bob's job"}
    assert names(alices_token["prefix"]) == {"nightly backup"}
    assert names(alices_token["prefix"][:10]) == {"nightly backup"}


@pytest.mark.parametrize("lookup", ["digest__startswith", "lookup__startswith", "user__password__startswith"])
def test_no_lookup_outside_the_allow_list(root, alices_token, lookup):
    # repro: ?digest__startswith=<c> would tell the digest one character at a time by whether the row is listed
    row = PersonalAccessToken.objects.select_related("user").get()
    value = {"digest__startswith": row.digest, "lookup__startswith": row.lookup,
             "user__password__startswith": row.user.password}[lookup]

    right, wrong = root.get(TOKENS, {lookup: value[:1]}), root.get(TOKENS, {lookup: "~"})

    assert right.status_code == wrong.status_code == 400
    assert right.content == wrong.content


def test_the_filters_and_the_link_from_the_user_page_work(root, alices_token):
    row = PersonalAccessToken.objects.get()
    for query in ({"status": "active"}, {"status": "expired"}, {"status": "revoked"}, {"user__id__exact": row.user_id}):
        assert root.get(TOKENS, query).status_code == 200, query
    page = root.get(f"{TOKENS}{row.pk}/change/").content.decode()
    assert f"personal_token__id__exact={row.pk}" in page
    assert root.get("/admin/accounts/securityevent/", {"personal_token__id__exact": row.pk}).status_code == 200


def test_revoking_selected_tokens_ends_them_and_names_the_admin(root, alices_token):
    row = PersonalAccessToken.objects.get()

    response = run_action(root, TOKENS, "revoke_selected_tokens", [row.pk])

    assert "Revoked 1 token." in response.content.decode()
    assert Script(alices_token["token"]).get("/api/auth/me/").status_code == 401
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_TOKEN_REVOKED)
    assert (event.actor, event.reason, event.personal_token_id) == (root.user, RevocationReason.ADMIN_REVOKED, row.pk)
    again = run_action(root, TOKENS, "revoke_selected_tokens", [row.pk])
    assert "had been revoked already" in again.content.decode()


def test_the_revoke_action_needs_its_permission(staff, alices_token):
    viewer = staff("viewer", "view_personalaccesstoken")
    row = PersonalAccessToken.objects.get()
    response = viewer.get(TOKENS)
    assert response.status_code == 200
    assert "revoke_selected_tokens" not in response.content.decode()
    run_action(viewer, TOKENS, "revoke_selected_tokens", [row.pk])
    assert Script(alices_token["token"]).get("/api/auth/me/").status_code == 200

    revoker = staff("revoker", "view_personalaccesstoken", "revoke_personalaccesstoken")
    run_action(revoker, TOKENS, "revoke_selected_tokens", [row.pk])
    assert Script(alices_token["token"]).get("/api/auth/me/").status_code == 401


def test_a_live_token_cannot_be_deleted_only_revoked(root, alices_token):
    row = PersonalAccessToken.objects.get()
    assert root.post(f"{TOKENS}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PersonalAccessToken.objects.filter(pk=row.pk).exists()


def test_the_deactivate_action_ends_the_users_tokens_naming_the_admin(root, alices_token):
    # repro: "Deactivate and revoke all sessions" on alice → her personal token is a 401 too
    row = PersonalAccessToken.objects.get()

    response = run_action(root, USERS, "deactivate_and_revoke_sessions", [row.user_id], confirm=True)

    assert "Revoked 1 personal access token." in response.content.decode()
    assert Script(alices_token["token"]).get("/api/auth/me/").status_code == 401
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_TOKEN_REVOKED)
    assert (event.actor, event.reason) == (root.user, RevocationReason.USER_DEACTIVATED)


def test_unticking_active_in_the_user_form_ends_the_tokens(root, alices_token):
    row = PersonalAccessToken.objects.get()
    url = f"{USERS}{row.user_id}/change/"
    data = form_data(root.get(url).content.decode(), "user_form")
    assert data.pop("is_active") == ["on"]

    assert root.post(url, data).status_code == 302

    assert Script(alices_token["token"]).get("/api/auth/me/").status_code == 401
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_TOKEN_REVOKED)
    assert event.actor == root.user


def test_setting_a_password_in_the_admin_ends_the_tokens(root, alices_token):
    # decision: an administrator setting a password is a reset for someone locked out, not the owner's change
    row = PersonalAccessToken.objects.get()
    password = "an admin-chosen passphrase"
    response = root.post(
        f"{USERS}{row.user_id}/password/", {"password1": password, "password2": password, "usable_password": "true"}
    )

    assert response.status_code == 302
    assert Script(alices_token["token"]).get("/api/auth/me/").status_code == 401


def test_the_list_of_100_tokens_and_a_users_page_cost_a_bounded_number_of_queries(
    root, make_user, django_assert_max_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.admin.test_admin import CHANGE_PAGE_BUDGET, CHANGELIST_BUDGET

    users = [make_user(f"user{n:03}") for n in range(10)]
    now = timezone.now()
    PersonalAccessToken.objects.bulk_create(
        PersonalAccessToken(
            user=users[n % 10], name=f"job {n}", lookup=f"{n:016x}", digest="0" * 64,
            expires_at=now + timedelta(days=1 if n % 3 else -1), last_used_at=now if n % 2 else None,
        )
        for n in range(100)
    )

    for url in (TOKENS, f"{TOKENS}?status=active&q=user00", f"{USERS}{users[0].pk}/change/"):
        budget = CHANGE_PAGE_BUDGET if "change" in url else CHANGELIST_BUDGET
        with django_assert_max_num_queries(budget) as queries:
            response = root.get(url)
        assert response.status_code == 200, url
        assert not any("digest" in query["sql"] for query in queries.captured_queries), url
    assert len(root.get(TOKENS).context["cl"].result_list) == 100
