"""One canonical form per username and per email address.

A username is stored as typed after Unicode NFKC (what Django's
``AbstractBaseUser.normalize_username`` does) and is unique by its
*canonical* form: NFKC, then ``casefold()``. So ``Alice``, ``alice``,
``Ａlice`` (fullwidth) are one name, and so are ``straße`` and ``strasse``.
Sign-up, the login lookup, the backoff keys, the admin and
``createsuperuser`` all use ``canonical_username``, so no two of them can
disagree about who a name is.

Lengths and characters are checked on the normalised form: NFKC can turn one
character into many (``ﷺ`` becomes 18 characters with spaces in them).

An email address is stored in its *normalised* form (``normalized_email``):
NFKC, the domain in its IDNA ASCII form (UTS 46: lower case, ``bücher.de``
as ``xn--bcher-kva.de``), and refused when it holds an invisible or control
character. So ``x@examplｅ.test`` (fullwidth), ``x@exam<soft hyphen>ple.test``
and ``x@example.teﬆ`` (a ligature) are ``x@example.test`` or refused, never a
second account on one mailbox. It is compared in its canonical form
(``canonical_email``): the normalised form lower-cased, which is what the
unique index on the lower-cased address holds for a stored address.
"""
import unicodedata

import idna
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email as _validate_email_syntax
from django.db.models.functions import Lower
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

USERNAME_MAX_LENGTH = 150

_characters = UnicodeUsernameValidator()


def normalized_username(name: str) -> str:
    """The form a username is stored and shown in."""
    return unicodedata.normalize("NFKC", name)


def canonical_username(name: str) -> str:
    """The form usernames are compared in: NFKC, then case-folded."""
    return unicodedata.normalize("NFKC", name).casefold()


@deconstructible
class UsernameValidator:
    """Django's username characters and length, checked on the stored and the compared forms."""

    def __call__(self, value):
        normalized = normalized_username(value)
        _characters(normalized)
        if len(normalized) > USERNAME_MAX_LENGTH or len(canonical_username(value)) > USERNAME_MAX_LENGTH:
            raise ValidationError(
                _("Usernames are at most %(limit)s characters long (after Unicode normalisation).") % {"limit": USERNAME_MAX_LENGTH},
                code="max_length",
            )

    def __eq__(self, other):
        return isinstance(other, UsernameValidator)


validate_username = UsernameValidator()


EMAIL_MAX_LENGTH = 254
EMAIL_INVISIBLE = _("Email addresses cannot contain invisible or control characters.")
EMAIL_INVALID = _("Enter a valid email address.")
EMAIL_BAD_DOMAIN = _("The domain of this address is not a valid domain name.")

# Categories of characters nobody sees or types in an address: controls (Cc),
# format characters such as the soft hyphen and zero-width space (Cf),
# surrogates (Cs), private use (Co), unassigned (Cn), and line and paragraph
# separators (Zl, Zp).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Default-ignorable characters of other categories: they draw as nothing too.
_INVISIBLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)


def _invisible(character: str) -> bool:
    return unicodedata.category(character) in _REFUSED_CATEGORIES or ord(character) in _INVISIBLE


def normalized_email(address: str) -> str:
    """The form an email address is stored in; ``ValidationError`` (one clear message) for one that cannot be.

    Invisible characters are refused rather than dropped: an address that
    differs from a real one only by what nobody can see is not a typo.
    """
    address = address.strip()
    if any(_invisible(c) for c in address):
        raise ValidationError(EMAIL_INVISIBLE, code="invisible")
    address = unicodedata.normalize("NFKC", address)
    if any(_invisible(c) for c in address):
        raise ValidationError(EMAIL_INVISIBLE, code="invisible")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValidationError(EMAIL_INVALID, code="invalid")
    if not (domain.startswith("[") and domain.endswith("]")):  # an address literal has no IDNA form
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            raise ValidationError(EMAIL_BAD_DOMAIN, code="invalid_domain") from None
    address = f"{local}@{domain.lower()}"
    if len(address) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("Email addresses are at most %(limit)s characters long.") % {"limit": EMAIL_MAX_LENGTH}, code="max_length"
        )
    _validate_email_syntax(address)  # NFKC may have made a valid address of an invalid one, or the reverse
    return address


def canonical_email(address: str) -> str:
    """The form email addresses are compared in: the normalised address, lower-cased.

    An address that cannot be normalised (it would be refused at sign-up)
    is only trimmed and lower-cased: it can then match only a row stored
    before addresses were normalised, never a normalised one.
    """
    try:
        return normalized_email(address).lower()
    except ValidationError:
        return address.strip().lower()


USERNAME_TAKEN = _("That username is taken.")
EMAIL_TAKEN = _("That email address is already in use.")


def username_taken(username: str) -> bool:
    return get_user_model()._default_manager.filter(username_canonical=canonical_username(username)).exists()


def email_taken(address: str) -> bool:
    # Lower("email") is what the unique index holds, so the lookup can use it.
    users = get_user_model()._default_manager.alias(email_ci=Lower("email"))
    return users.filter(email_ci=canonical_email(address)).exists()
