from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sessions"

    def ready(self):
        # Imported for their side effects: the signal receivers, the system checks and the schema extension.
        from accounts import checks, signals  # noqa: F401
        from accounts.api import schema  # noqa: F401
        from accounts.mail import sender  # noqa: F401  (starts on a process's first request)
        from accounts.webhooks import receivers as webhook_receivers, sender as webhook_sender  # noqa: F401
        from accounts.oidc_provider import logout as oidc_logout  # noqa: F401  (back-channel logout on session end)
        from accounts.sessions import jwt_keys

        jwt_keys.keyring()  # a bad key configuration stops start-up, not the first login
