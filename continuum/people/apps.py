from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "continuum.people"
    label = "people"
    verbose_name = "People"

    def ready(self):
        from . import (
            extensions,  # noqa: F401  (notification kind, menu entries)
            login_language,  # noqa: F401  (connects the login receiver)
        )
