"""base64url as WebAuthn's JSON spells it: URL-safe alphabet, no padding, one spelling per value."""
import base64
import binascii
import re

_ALPHABET = re.compile(r"^[A-Za-z0-9_-]*$")


def encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode(text) -> bytes | None:
    """The bytes ``text`` spells in canonical unpadded base64url; None for anything else.

    Python's decoder skips characters outside the alphabet, so ``"AA!A"`` and
    ``"AAA"`` would name one credential; here only the canonical spelling does.
    """
    if not isinstance(text, str) or not _ALPHABET.match(text) or len(text) % 4 == 1:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if encode(data) == text else None
