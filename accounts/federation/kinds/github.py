"""GitHub: OAuth 2.0 without OpenID Connect, so no ID token: the user comes from its REST API.

``GET /user`` gives the numeric ``id`` (the subject: a login name can be
renamed and then taken by someone else) and the login; ``GET /user/emails``
the addresses, of which only the *primary and verified* one is used: GitHub
lets anyone add an unverified address, and that must never enter an account.
The endpoints are fixed (github.com); GitHub Enterprise Server is not
supported.
"""
from accounts.federation.kinds.base import Kind, Person, Refused, _address, _text

AUTHORIZATION_ENDPOINT = "https://github.com/login/oauth/authorize"
TOKEN_ENDPOINT = "https://github.com/login/oauth/access_token"
API = "https://api.github.com"
_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHub(Kind):
    name = "github"
    label = "GitHub"
    openid = False
    confirms_presence = False  # no prompt=login, no auth_time: a browser signed in at GitHub comes straight back
    default_scopes = ("read:user", "user:email")
    registration_hint = "GitHub, Settings, Developer settings, OAuth Apps"

    def issuer(self, provider) -> str:
        return ""

    def check_configuration(self, *, issuer: str) -> None:
        if issuer:
            raise ValueError("GitHub has no issuer (it is OAuth 2.0, not OpenID Connect); leave --issuer out.")

    def static_metadata(self) -> dict:
        """What discovery would say, were there any: GitHub's fixed endpoints."""
        return {
            "issuer": "",
            "authorization_endpoint": AUTHORIZATION_ENDPOINT,
            "token_endpoint": TOKEN_ENDPOINT,
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        }

    def authorization_response_issuer_ok(self, *, metadata: dict, iss: str) -> bool:
        return False  # GitHub sends no iss: one that claims to be from it is someone else's answer

    def person(self, *, claims=None, userinfo=None, api=None, access_token=None) -> Person:
        """Read ``/user`` and ``/user/emails`` with the access token (``api``: an HTTP session)."""
        headers = {**_HEADERS, "Authorization": f"Bearer {access_token}"}
        user = _get_json(api, f"{API}/user", headers)
        emails = _get_json(api, f"{API}/user/emails", headers)
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            raise Refused("github: /user has no numeric id")
        primary = next(
            (
                row for row in (emails if isinstance(emails, list) else [])
                if isinstance(row, dict) and row.get("primary") is True and row.get("verified") is True
                and isinstance(row.get("email"), str)
            ),
            None,
        )
        return Person(
            subject=str(user["id"]),
            email=_address(primary["email"]) if primary else "",
            email_verified=primary is not None and bool(_address(primary["email"])),
            name=_text(user.get("name")),
            username_hint=_text(user.get("login")),
        )


def _get_json(api, url, headers):
    response = api.get(url, headers=headers, timeout=10)
    if response.status_code != 200:
        raise Refused(f"github: {url} answered {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise Refused(f"github: {url} is not JSON") from None


KIND = GitHub()
