"""RFC 6749 §5.2 errors of the token, userinfo and revocation endpoints."""


class OAuthError(Exception):
    status = 400

    def __init__(self, error, description="", *, status=None):
        super().__init__(description or error)
        self.error, self.description = error, description
        if status is not None:
            self.status = status

    def body(self) -> dict:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


def invalid_grant(description="The code or refresh token is invalid, expired, used or revoked."):
    return OAuthError("invalid_grant", description)
