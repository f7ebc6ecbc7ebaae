"""docs/webhooks.md says what is sent: every revocation reason, and the identity events' data as emitted."""
import re
from pathlib import Path

from accounts.models import RevocationReason

DOC = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()


def test_every_revocation_reason_a_session_revoked_event_can_carry_is_listed():
    # Repro: unlinking an identity ends its sessions with reason identity_unlinked (and a provider's logout with
    # provider_logout); the list of reasons a receiver may meet named neither.
    listed = re.search(r"`reason` is one of(.*?)\)\.", DOC, re.S).group(1)
    missing = [reason.value for reason in RevocationReason if f"`{reason.value}`" not in listed]
    assert not missing, missing


def test_the_identity_events_are_documented_with_the_data_they_carry():
    # Repro: the table said identity.linked and identity.unlinked were reserved and sent by nothing, while every
    # link and unlink emits them (accounts.federation.notices) with the user, the identity and the provider.
    (row,) = [line for line in DOC.splitlines() if line.startswith("| `identity.linked`")]
    assert "nothing sends" not in row
    for key in ("user_id", "identity_id", "provider", "subject"):
        assert f'"{key}"' in row, key
