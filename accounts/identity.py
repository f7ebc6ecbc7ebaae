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
"""
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.deconstruct import deconstructible

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
                f"Usernames are at most {USERNAME_MAX_LENGTH} characters long (after Unicode normalisation).",
                code="max_length",
            )

    def __eq__(self, other):
        return isinstance(other, UsernameValidator)


validate_username = UsernameValidator()


def canonical_email(address: str) -> str:
    """The form email addresses are compared in: the whole address lower-cased."""
    return address.strip().lower()


USERNAME_TAKEN = "That username is taken."
EMAIL_TAKEN = "That email address is already in use."


def username_taken(username: str) -> bool:
    return get_user_model()._default_manager.filter(username_canonical=canonical_username(username)).exists()


def email_taken(address: str) -> bool:
    # Lower("email") is what the unique index holds, so the lookup can use it.
    users = get_user_model()._default_manager.alias(email_ci=Lower("email"))
    return users.filter(email_ci=canonical_email(address)).exists()
