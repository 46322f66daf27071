"""Branded error pages: a stopped database answers 503, never a traceback.

A database that cannot be reached is an outage, not a bug: the visitor gets the 503 page
with Retry-After, also with DEBUG on (the debug page would print settings and SQL).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import debug

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def unavailable_response() -> HttpResponse:
    # No request context: its processors would query the database that is down.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Raised in a middleware further in and turned into the debug 500 already (see
        # ExceptionReporter below): the visitor gets the 503 all the same.
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            return unavailable_response()
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE):
            logger.error("database unavailable: %s %s", request.method, request.path)
            return unavailable_response()
        return None


def server_error(request) -> HttpResponse:
    """handler500: the 503 page when the cause is the database, the 500 page otherwise."""
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        return unavailable_response()
    return HttpResponse(render_to_string("500.html"), status=500)


class ExceptionReporter(debug.ExceptionReporter):
    """With DEBUG on, errors raised outside a view (in a middleware) still go through
    here: a database outage shows the 503 page rather than the debug traceback."""

    def get_traceback_html(self):
        if isinstance(self.exc_value, UNAVAILABLE):
            if self.request is not None:
                self.request.database_unavailable = True
            return render_to_string("503.html")
        return super().get_traceback_html()
