from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "continuum.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # idle starts the automatic-logoff clock at every login; lockout charges wrong
        # second-factor codes to the address's failed-login limit; receivers end API
        # tokens when a password or second factor changes.
        from . import idle, lockout, receivers  # noqa: F401


class OperatorAdminConfig(admin_apps.AdminConfig):
    """The Django admin on the operator site (continuum.accounts.admin_site)."""

    default = False  # the accounts app keeps its own config
    default_site = "continuum.accounts.admin_site.OperatorAdminSite"
