from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "continuum.people"
    label = "people"
    verbose_name = "People"

    def ready(self):
        from continuum.notifications import kinds

        from . import login_language  # noqa: F401  (connects the login receiver)

        kinds.register("break_glass", _("Emergency access to a client record"))
