"""Google: one fixed issuer; ``email_verified`` is reliable for Gmail and Workspace addresses."""
from accounts.federation.kinds.base import Kind


class Google(Kind):
    name = "google"
    label = "Google"
    default_issuer = "https://accounts.google.com"
    registration_hint = "Google Cloud console, APIs & Services, Credentials"

    def check_configuration(self, *, issuer: str) -> None:
        if issuer and issuer.rstrip("/") != self.default_issuer:
            raise ValueError(f"Google's issuer is {self.default_issuer}; leave --issuer out.")

    def expected_issuers(self, *, metadata: dict, claims: dict) -> list[str]:
        # Google's ID tokens may carry the issuer without its scheme (documented).
        return [metadata["issuer"], "accounts.google.com"]


KIND = Google()
