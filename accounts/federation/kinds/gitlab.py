"""GitLab (gitlab.com, or a self-managed instance named by ``--issuer``): plain OpenID Connect."""
from accounts.federation.kinds.base import Kind


class GitLab(Kind):
    name = "gitlab"
    label = "GitLab"
    default_issuer = "https://gitlab.com"
    registration_hint = "GitLab, User settings (or Admin area), Applications"
    default_scopes = ("openid", "email", "profile")

    def check_configuration(self, *, issuer: str) -> None:
        if issuer:
            super().check_configuration(issuer=issuer)


KIND = GitLab()
