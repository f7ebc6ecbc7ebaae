"""Client-supplied text made fit to store.

PostgreSQL refuses NUL in a text column (a 500 where SQLite stored it), and
other control characters in a user agent or a typed username only garble
the admin and the logs. Lone surrogates cannot be encoded at all. So every
string a client sends that lands in a row as-is (not one a validator
already judged) passes through here first.
"""
import re

# Unicode category Cc (C0, DEL, C1) and lone surrogates (Cs); a tab becomes a space first.
_UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def strip_control_characters(text: str) -> str:
    """``text`` without control characters or lone surrogates; tabs become spaces."""
    return _UNSTORABLE.sub("", text.replace("\t", " "))


def has_unstorable(text: str) -> bool:
    """Whether ``text`` holds what ``strip_control_characters`` would drop (a tab too).

    For a value that must be kept exactly or refused (a provider's ``sub``,
    ``sid`` or ``jti``, a path to come back to): a lone surrogate cannot even
    be encoded for the database, a NUL is refused by PostgreSQL.
    """
    return "\t" in text or _UNSTORABLE.search(text) is not None
