from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "continuum.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # idle starts the automatic-logoff clock at every login; lockout charges wrong
        # second-factor codes to the address's failed-login limit.
        from . import idle, lockout  # noqa: F401
