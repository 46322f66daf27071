from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "continuum.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Starts the automatic-logoff clock at every login.
        from . import idle  # noqa: F401
