"""The public names docs/building-on-gatehouse.md lists are importable and keep their meaning."""
import re
from pathlib import Path

import pytest
from rest_framework.permissions import IsAuthenticated

import accounts.api.public
from accounts.api.public import (
    AUTHENTICATION_CLASSES, PersonalTokenAuthentication, ProtectedAPIView, RecentAuthentication, Scope,
    SessionBoundJWTAuthentication,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "building-on-gatehouse.md"


def listed_python_names():
    """The first column of the doc's table of Python names."""
    text = DOC.read_text()
    table = text.split("Python, from `accounts.api.public`:", 1)[1].split("\n\n", 2)[1]
    return re.findall(r"^\| `([A-Za-z_]+)` \|", table, flags=re.M)


def test_every_name_the_doc_lists_is_public_and_importable():
    names = listed_python_names()

    assert sorted(names) == sorted(accounts.api.public.__all__)
    for name in names:
        assert getattr(accounts.api.public, name) is not None


def test_the_public_names_keep_their_meaning():
    assert AUTHENTICATION_CLASSES == (PersonalTokenAuthentication, SessionBoundJWTAuthentication)
    assert ProtectedAPIView.authentication_classes == AUTHENTICATION_CLASSES
    assert ProtectedAPIView.permission_classes == (IsAuthenticated,)
    assert Scope("reports:read", "Read your reports.").name == "reports:read"
    assert RecentAuthentication.__name__ == "RecentAuthentication"


@pytest.mark.django_db
def test_a_page_listed_in_gatehouse_app_pages_is_served_with_the_app_and_listed_for_it(client, settings):
    # repro: /reports (a team's page) answered 404 and the app had no way to learn of its module
    settings.GATEHOUSE_APP_PAGES = {"/reports": "myapp/reports.js"}

    response = client.get("/reports")

    assert response.status_code == 200
    assert (
        b'<meta name="app-pages" content="[{&quot;path&quot;: &quot;/reports&quot;, '
        b'&quot;module&quot;: &quot;/static/myapp/reports.js&quot;}]">'
    ) in response.content
    assert client.get("/elsewhere").status_code == 404


def test_a_personal_token_on_a_route_needing_a_recent_authentication_is_a_403_not_a_500():
    # repro: RecentAuthentication read request.auth.token, which a personal token's grant lacks → 500
    from accounts.api.reauth import authenticated_recently
    from accounts.personal_tokens.authentication import PersonalTokenGrant

    grant = PersonalTokenGrant(token_id=None, name="ci", expires_at=None, user_pk=1, scopes=("reports:read",))
    assert authenticated_recently(grant) is False
