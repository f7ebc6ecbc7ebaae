from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sessions"

    def ready(self):
        from accounts import jwt_keys, schema, signals  # noqa: F401  (registers the receivers and the schema extension)

        jwt_keys.keyring()  # a bad key configuration stops start-up, not the first login
