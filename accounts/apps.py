from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sessions"

    def ready(self):
        from accounts import schema, signals  # noqa: F401  (registers the receivers and the schema extension)
