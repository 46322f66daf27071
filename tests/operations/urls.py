"""The project's URLs plus pages that fail on purpose, for the error-page tests."""

from django.db import OperationalError
from django.urls import path

from continuum.urls import handler500
from continuum.urls import urlpatterns as project_urlpatterns


def database_down(request):
    raise OperationalError('connection to server on socket "/tmp/.s.PGSQL.5432" failed')


def bug(request):
    raise ZeroDivisionError("a bug")


urlpatterns = [
    path("__test__/database-down/", database_down),
    path("__test__/bug/", bug),
    *project_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
