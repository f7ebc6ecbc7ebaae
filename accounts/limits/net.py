"""Who is on the other end of a request: client IP and user agent."""
import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from accounts import conf
from accounts.text import strip_control_characters
from accounts.useragent import as_sent

_USER_AGENT_MAX = 512
_IP_MAX = 64  # longer than any textual IP address, zone included: not worth parsing or remembering


@dataclass(frozen=True)
class ClientInfo:
    ip_address: str | None
    user_agent: str


def client_ip(request) -> str | None:
    """The client's IP address.

    ``X-Forwarded-For`` is trusted only as far as ``TRUSTED_PROXY_COUNT``
    proxies of ours appended to it; with no trusted proxy (the default) a
    forged header changes nothing and ``REMOTE_ADDR`` is used.
    """
    proxies = conf.trusted_proxy_count()
    candidate = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            candidate = hops[-min(proxies, len(hops))]
    if not isinstance(candidate, str) or len(candidate) > _IP_MAX:
        return None
    return _normalized_ip(candidate)


@lru_cache(maxsize=4096)
def _normalized_ip(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def client_key(ip_address: str | None) -> str:
    """Who to count a request against: the IPv4 address, or the IPv6 /64.

    One IPv6 host usually holds a whole /64, so counting per address would
    give it billions of fresh budgets.
    """
    if not ip_address:
        return "unknown"
    address = ipaddress.ip_address(ip_address)
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def client_info(request) -> ClientInfo:
    """The client as it is recorded: the user agent is stored, so it is cleaned here."""
    user_agent = strip_control_characters(request.META.get("HTTP_USER_AGENT", ""))
    return ClientInfo(ip_address=client_ip(request), user_agent=as_sent(user_agent[:_USER_AGENT_MAX]))
