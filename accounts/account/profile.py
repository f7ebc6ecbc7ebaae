"""Changing the profile: username, first and last name, language.

A new username is held to the same canonical uniqueness as a sign-up
(``accounts.identity``); the change is recorded and the owner told by mail,
because whoever took a session over could otherwise rename the account
quietly. The language is one of ``settings.LANGUAGES`` (the language work
adds to that list; nothing here names a language).
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.audit import record_event
from accounts.identity import USERNAME_TAKEN, canonical_username, normalized_username, username_taken, validate_username
from accounts.mail import notices
from accounts.models import SecurityEventKind

NAME_MAX_LENGTH = 150
LANGUAGE_UNKNOWN = _("Not a language this site offers.")


def offered_languages() -> list[str]:
    """The language codes an account may save."""
    return [code for code, _name in settings.LANGUAGES]


def check_language(value: str) -> str:
    """``value`` if it is an offered language, or "" (none saved); ``ValidationError`` otherwise."""
    if value == "" or value in offered_languages():
        return value
    raise ValidationError(LANGUAGE_UNKNOWN, code="language_unknown")


def check_username(value: str, *, user) -> str:
    """The normalised name if ``user`` may take it; ``ValidationError`` otherwise (its own name is allowed)."""
    validate_username(value)
    name = normalized_username(value)
    if canonical_username(name) != user.username_canonical and username_taken(name):
        raise ValidationError(USERNAME_TAKEN, code="username_taken")
    return name


class UsernameTaken(Exception):
    """Another account took the name between the check and the write."""


def update_profile(*, user, client, session_id=None, **changes) -> list[str]:
    """Save ``changes`` (any of username, first_name, last_name, language); returns the fields that changed.

    The values are already checked (``check_username``, ``check_language``);
    the database's unique index still decides a race for a name.
    """
    changed = [field for field, value in changes.items() if getattr(user, field) != value]
    if not changed:
        return []
    old_username = user.username
    for field in changed:
        setattr(user, field, changes[field])
    try:
        with transaction.atomic():
            user.save(update_fields=changed)
            if "username" in changed:
                record_event(SecurityEventKind.USERNAME_CHANGED, user=user, session_id=session_id, client=client)
                notices.username_changed(user=user, old_username=old_username, client=client)
    except IntegrityError:
        user.username = old_username
        raise UsernameTaken from None
    return changed
