"""The recorded ceremonies: what ``SoftAuthenticator`` answers to fixed options, written once to a file.

Run ``python -m tests.passkeys.recording`` to write ``recorded_ceremonies.json``
again (it comes out byte for byte the same: nothing in it is random).
"""
import json
from pathlib import Path

from tests.passkeys.authenticator import SoftAuthenticator, b64, unb64  # noqa: F401  (unb64: for the tests)

PATH = Path(__file__).with_name("recorded_ceremonies.json")
RP_ID = "localhost"
ORIGIN = "http://localhost:8000"
USER_HANDLE = b64(bytes(range(32)))
CHALLENGES = {name: b64(bytes([index]) * 32) for index, name in enumerate(
    ["registration", "assertion", "other_origin", "other_rp_id", "counter_back"], start=1
)}


def record() -> dict:
    authenticator = SoftAuthenticator(origin=ORIGIN)
    registration = authenticator.register(
        {"rp": {"id": RP_ID}, "user": {"id": USER_HANDLE}, "challenge": CHALLENGES["registration"]}
    )

    def get(name, **lie):
        return authenticator.assertion({"rpId": RP_ID, "challenge": CHALLENGES[name]}, **lie)

    return {
        "rp_id": RP_ID,
        "origin": ORIGIN,
        "user_handle": USER_HANDLE,
        "challenges": CHALLENGES,
        "registration": registration,
        "assertion": get("assertion", counter=1),
        "other_origin": get("other_origin", counter=2, origin="https://gatehouse.example.net"),
        "other_rp_id": get("other_rp_id", counter=3, rp_id="example.net"),
        "counter_back": get("counter_back", counter=1),
    }


def dumps(recording: dict) -> str:
    return json.dumps(recording, indent=2, sort_keys=True) + "\n"


def load() -> dict:
    return json.loads(PATH.read_text())


if __name__ == "__main__":
    PATH.write_text(dumps(record()))
