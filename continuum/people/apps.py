from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "continuum.people"
    label = "people"
    verbose_name = "People"

    def ready(self):
        from continuum.notifications import kinds

        kinds.register("break_glass", "Emergency access to a client record")
