"""The scopes a client may ask for, and how the consent page says each in words."""
from django.utils.translation import gettext_lazy as _

OPENID, PROFILE, EMAIL, OFFLINE_ACCESS = "openid", "profile", "email", "offline_access"
SUPPORTED = (OPENID, PROFILE, EMAIL, OFFLINE_ACCESS)

WORDS = {
    OPENID: _("Know who you are on Gatehouse (your account's identifier)"),
    PROFILE: _("See your username and your name"),
    EMAIL: _("See your email address and whether it is confirmed"),
    OFFLINE_ACCESS: _("Stay signed in while you are away (a long-lived refresh token)"),
}


def parse(value) -> list[str]:
    """A space-separated scope parameter, each scope once, in the order given."""
    return list(dict.fromkeys(str(value or "").split()))


def normalized(scopes) -> str:
    """Scopes as stored: in the order of ``SUPPORTED``, space-separated."""
    chosen = set(scopes)
    return " ".join(scope for scope in SUPPORTED if scope in chosen)


def described(scopes) -> list[dict]:
    return [{"scope": scope, "text": str(WORDS[scope])} for scope in normalized(scopes).split()]
