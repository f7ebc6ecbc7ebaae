import pytest
from rest_framework.test import APIClient

TOKENS = "/api/auth/tokens/"
EVERY_SCOPE = ("profile:read", "users:read")


def create(device, name="ci", expires_in_days=30, scopes=EVERY_SCOPE):
    """POST /api/auth/tokens/ from a logged-in device (a browser session)."""
    return device.post(TOKENS, {"name": name, "expires_in_days": expires_in_days, "scopes": list(scopes)})


class Script:
    """A client that sends nothing but ``Authorization: Bearer <personal token>``: no cookie, no session."""

    def __init__(self, token):
        self.token = token
        self.client = APIClient()

    @property
    def headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path, **extra):
        return self.client.get(path, **self.headers, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(path, data, format="json", **self.headers, **extra)

    def delete(self, path, **extra):
        return self.client.delete(path, **self.headers, **extra)


@pytest.fixture
def created(logged_in):
    """A token made by alice's browser session: the 201 body."""
    response = create(logged_in)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def script(created):
    return Script(created["token"])
