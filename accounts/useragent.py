"""A user agent as a person names their device: "Firefox on Linux", without versions.

The one reader of user agents. It recognises a device again (a browser
update is no new device: ``device_family`` keys ``accounts.devices``),
describes one in a security notice, labels a session in the admin, and is
what the app shows: ``GET /api/auth/sessions/`` serves ``device`` and
``device_kind`` from ``describe``, so the browser parses nothing.
Deliberately coarse: a few families of browsers and systems, in the order
that tells them apart (Edge and Opera also say "Chrome", Chrome also says
"Safari", Headless Chrome says "HeadlessChrome/", which no ``\\bChrome/``
matches); any other client by its first product token ("curl",
"python-requests").
"""
import re
from dataclasses import dataclass
from functools import lru_cache

_BROWSERS = [
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Headless Chrome", re.compile(r"\bHeadlessChrome/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bSafari/")),
]
# (name, pattern, the kind of device, for the app's icon)
_SYSTEMS = [
    ("iOS", re.compile(r"\biPhone|\biPod"), "phone"),
    ("iOS", re.compile(r"\biPad"), "tablet"),
    ("Android", re.compile(r"\bAndroid\b.*\bMobile\b"), "phone"),
    ("Android", re.compile(r"\bAndroid\b"), "tablet"),
    ("ChromeOS", re.compile(r"\bCrOS\b"), "desktop"),
    ("Windows", re.compile(r"\bWindows\b"), "desktop"),
    ("macOS", re.compile(r"\bMacintosh\b|\bMac OS X\b"), "desktop"),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b"), "desktop"),
]
_PRODUCT = re.compile(r"[A-Za-z][A-Za-z0-9._+-]{0,39}")


@dataclass(frozen=True)
class Device:
    label: str  # "Chrome on macOS", "A browser on Linux", "curl", "Unknown device": shown as is
    kind: str  # "phone", "tablet", "desktop" or "other"


@lru_cache(maxsize=1024)
def device_family(user_agent: str) -> str:
    """"Chrome on Windows", "Safari on iOS", "curl", or "an unknown client" (to be read within a sentence)."""
    user_agent = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = _system(user_agent)
    if browser and system:
        return f"{browser} on {system[0]}"
    if browser or system:
        return browser or f"a browser on {system[0]}"
    product = _PRODUCT.match(user_agent.strip())
    return product.group(0) if product else "an unknown client"


def describe(user_agent: str) -> Device:
    """The device as a label of its own ("A browser on Linux" capitalised) and its kind."""
    family = device_family(user_agent or "")
    if family == "an unknown client":
        label = "Unknown device"
    else:
        label = "A" + family[1:] if family.startswith("a browser") else family
    system = _system(user_agent or "")
    return Device(label=label, kind=system[1] if system else "other")


def _system(user_agent: str):
    return next(((name, kind) for name, pattern, kind in _SYSTEMS if pattern.search(user_agent)), None)
