from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "continuum.operations"
    label = "operations"
    verbose_name = "Operations"
