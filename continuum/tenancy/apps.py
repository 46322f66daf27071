from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "continuum.tenancy"
    label = "tenancy"
    verbose_name = "Organizations"
