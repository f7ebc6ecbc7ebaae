"""A user agent as a person names their device: "Firefox on Linux", without versions.

The one reader of user agents. It recognises a device again (a browser
update is no new device: ``device_family`` keys ``accounts.devices``),
describes one in a security notice (``in_sentence``), labels a session in the
admin, and is what the app shows: ``GET /api/auth/sessions/`` serves
``device`` and ``device_kind`` from ``describe``, so the browser parses nothing.

Names are made when read, in the active language: the product names stay as
they are ("Chrome", "Linux", "curl"), the words around them are gettext's
("Chrome unter Linux", "Unbekanntes Gerät"). Only user agents are stored,
never a name, so a change of language shows on every list at once.
``device_family`` alone stays English: it is a key (hashed into a known
device), not words for a reader.
Deliberately coarse: a few families of browsers and systems, in the order
that tells them apart (Edge and Opera also say "Chrome", Chrome also says
"Safari", Headless Chrome says "HeadlessChrome/", which no ``\\bChrome/``
matches); any other client by its first product token ("curl",
"python-requests").
"""
import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext

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
# What an OpenID client's grant stores as its session's user agent (accounts.oidc_provider.flows): "<name> (app)".
# Only Gatehouse writes it: a request's own user agent loses it (``as_sent``), or any client could name itself.
APP_SUFFIX = " (app)"


def as_sent(user_agent: str) -> str:
    """A request's user agent as stored: without an ``APP_SUFFIX`` ending, which would read as an application's session.

    An application's name is shown whole ("Team Notes (app)"), in the session
    list and in the new-device mail; a browser claiming that ending would put
    words of its own there ("call this number (app)") instead of a product name.
    """
    while user_agent.rstrip().endswith(APP_SUFFIX.strip()):
        user_agent = user_agent.rstrip()[: -len(APP_SUFFIX.strip())]
    return user_agent.rstrip()


@dataclass(frozen=True)
class Device:
    label: str  # "Chrome on macOS", "A browser on Linux", "curl", "Unknown device", in the active language
    kind: str  # "phone", "tablet", "desktop" or "other"


@dataclass(frozen=True)
class _Parts:
    """What a user agent says, without words around it: the reading is cached, the wording is not."""

    browser: str | None = None
    system: str | None = None
    kind: str = "other"
    product: str | None = None  # "curl": a client that is no browser, by its first product token
    app: str | None = None  # an OpenID client's name ("Team Notes"): a grant's session


@lru_cache(maxsize=1024)
def _read(user_agent: str) -> _Parts:
    if user_agent.endswith(APP_SUFFIX) and user_agent[: -len(APP_SUFFIX)].strip():
        return _Parts(app=user_agent[: -len(APP_SUFFIX)].strip())
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = _system(user_agent)
    if browser or system:
        return _Parts(browser=browser, system=system[0] if system else None, kind=system[1] if system else "other")
    product = _PRODUCT.match(user_agent.strip())
    return _Parts(product=product.group(0) if product else None)


@lru_cache(maxsize=1024)
def device_family(user_agent: str) -> str:
    """"Chrome on Windows", "Safari on iOS", "curl", or "an unknown client": always English, a key.

    ``accounts.devices`` hashes it to recognise a device again, so its words
    must not follow the reader's language. For words, ``in_sentence``.
    """
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
    """The device as a label of its own ("A browser on Linux" capitalised), in the active language, and its kind."""
    parts = _read(user_agent or "")
    return Device(label=_words(parts, within_sentence=False), kind=parts.kind)


def in_sentence(user_agent: str) -> str:
    """The device as read within a sentence ("a browser on Linux", "an unknown client"), in the active language."""
    return _words(_read(user_agent or ""), within_sentence=True)


def _words(parts: _Parts, *, within_sentence: bool) -> str:
    if parts.app:
        # Translators: an application signed in through Gatehouse (OpenID Connect), e.g. "Team Notes (app)".
        return gettext("%(name)s (app)") % {"name": parts.app}
    if parts.browser and parts.system:
        # Translators: a device, e.g. "Chrome on Linux": browser and operating system keep their product names.
        return gettext("%(browser)s on %(system)s") % {"browser": parts.browser, "system": parts.system}
    if parts.browser:
        return parts.browser
    if parts.system:
        if within_sentence:
            # Translators: a device within a sentence ("…from a device it had not used before: a browser on Linux").
            return gettext("a browser on %(system)s") % {"system": parts.system}
        return gettext("A browser on %(system)s") % {"system": parts.system}
    if parts.product:
        return parts.product
    return gettext("an unknown client") if within_sentence else gettext("Unknown device")


def _system(user_agent: str):
    return next(((name, kind) for name, pattern, kind in _SYSTEMS if pattern.search(user_agent)), None)
