"""A sign-in code and the keyed digests it is kept as.

Six digits: typed from a phone's mail app in a few seconds. Guessing is
bounded elsewhere (five tries per code, codes per address and per client
limited), so a guess succeeds with odds of about 5 in a million per code.
"""
import hmac
import secrets

from django.utils.crypto import salted_hmac

from accounts.identity import canonical_email

DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"


def address_digest(address: str) -> str:
    """Every spelling of one mailbox (``canonical_email``) has one digest; nobody without the key can recompute it."""
    return salted_hmac("gatehouse.email-codes.address", canonical_email(address), algorithm="sha256").hexdigest()


def code_digest(*, address_digest: str, code: str) -> str:
    """The code bound to its address: the digest of one address's code never matches another's."""
    typed = "".join(str(code).split())  # "123 456" as the mail shows it is 123456
    return salted_hmac("gatehouse.email-codes.code", f"{address_digest}:{typed}", algorithm="sha256").hexdigest()


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
