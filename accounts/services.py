"""Account operations other than the token lifecycle: sign-up and password change."""
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from accounts import lifecycle
from accounts.audit import record_event
from accounts.models import RevocationReason, SecurityEventKind

User = get_user_model()


def register_user(*, username, email, password, client):
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            record_event(SecurityEventKind.REGISTERED, user=user, client=client)
    except IntegrityError:
        # Lost a race with another sign-up for the same name.
        raise ValidationError({"username": ["That username is taken."]}) from None
    return user


def change_password(*, user, new_password, current_session_id, client):
    """Set a new password and end every other session of the user."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_event(SecurityEventKind.PASSWORD_CHANGED, user=user, session_id=current_session_id, client=client)
        lifecycle.revoke_user_sessions(
            user=user, reason=RevocationReason.PASSWORD_CHANGED, keep_session_id=current_session_id, client=client
        )
