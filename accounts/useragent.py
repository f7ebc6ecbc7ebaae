"""A user agent as a person names their device: "Firefox on Linux", without versions.

Used to recognise a device again (a browser update is no new device) and to
describe one in a security notice. Deliberately coarse: a few families of
browsers and systems, in the order that tells them apart (Edge and Opera
also say "Chrome", Chrome also says "Safari"); any other client by its first
product token ("curl", "python-requests").
"""
import re
from functools import lru_cache

_BROWSERS = [
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bSafari/")),
]
_SYSTEMS = [
    ("iOS", re.compile(r"\biPhone|\biPad|\biPod")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMacintosh\b|\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
]
_PRODUCT = re.compile(r"[A-Za-z][A-Za-z0-9._+-]{0,39}")


@lru_cache(maxsize=1024)
def device_family(user_agent: str) -> str:
    """"Chrome on Windows", "Safari on iOS", "curl", or "an unknown client"."""
    user_agent = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"a browser on {system}"
    product = _PRODUCT.match(user_agent.strip())
    return product.group(0) if product else "an unknown client"
