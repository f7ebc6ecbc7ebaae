"""Who we are to the browser: the relying party ID and the origins a ceremony may come from.

The RP ID is ``WEBAUTHN_RP_ID``, or else ``SITE_URL``'s host. A passkey is
bound to it for good: moving the app to another domain leaves every passkey
behind. The expected origins are ``SITE_URL``'s origin and those of
``CORS_ALLOWED_ORIGINS`` that lie within the RP ID's domain (a separately
hosted frontend on a sibling subdomain); the browser writes the page's origin
into what the authenticator signs, so an assertion made on any other site is
refused here even when the RP ID matches.
"""
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

from accounts import conf

RP_NAME = "Gatehouse"


class PasskeysUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _(
        "Passkeys are not set up on this server: it needs SITE_URL (or WEBAUTHN_RP_ID) naming a domain, "
        "not an IP address."
    )
    default_code = "passkeys_unavailable"


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origins: tuple[str, ...]


def current() -> RelyingParty:
    """The relying party as configured now; ``PasskeysUnavailable`` when there is none."""
    site = conf.site_url()
    rp_id = conf.webauthn_rp_id() or (urlsplit(site).hostname if site else None)
    if not rp_id or _is_ip(rp_id) or not site:
        raise PasskeysUnavailable()
    origins = [_origin(site)]
    for origin in conf.cors_allowed_origins():
        host = urlsplit(origin).hostname or ""
        if (host == rp_id or host.endswith("." + rp_id)) and _origin(origin) not in origins:
            origins.append(_origin(origin))
    return RelyingParty(id=rp_id, name=RP_NAME, origins=tuple(origins))


def available() -> bool:
    """Whether this server has a relying party (what the passkey routes' 503 ``passkeys_unavailable`` tests)."""
    try:
        current()
    except PasskeysUnavailable:
        return False
    return True


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, as a browser writes it into ``clientDataJSON``."""
    parts = urlsplit(url)
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
