"""Input no page can use, refused once at the door.

A NUL character cannot be stored in PostgreSQL text (the driver refuses the query), so
a NUL typed or pasted into a search box, a filter or a form field used to end in a
server error wherever the value reached the database. It is never meaningful in a
query string or a form, so the request is answered 400 naming the fields to fix, before
any view runs. NULs in the path are left to the URL converters and views (an id that
does not parse is simply not found, and that refusal is audited)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _printable(name: str) -> str:
    return name.replace(NUL, "\\0")[:80] or _("(unnamed)")


def fields_with_nul(querydict) -> list[str]:
    return sorted(
        {
            _printable(key)
            for key, values in querydict.lists()
            if NUL in key or any(NUL in value for value in values)
        }
    )


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/fhir/"))


def _has_credentials(request) -> bool:
    """A signed-in session or a live API token (looked up only when a NUL was found)."""
    if request.user.is_authenticated:
        return True
    from rest_framework.exceptions import AuthenticationFailed

    from continuum.accounts.authentication import ApiTokenAuthentication

    scheme, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "token" or not key.strip():
        return False
    try:
        ApiTokenAuthentication().authenticate_credentials(key.strip())
    except AuthenticationFailed:
        return False
    return True


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = fields_with_nul(request.GET)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            fields = sorted(set(fields) | set(fields_with_nul(request.POST)))
        if fields and not (_is_api(request) and not _has_credentials(request)):
            return self._refuse(request, fields)
        # The API's first answer to a caller without valid credentials is 401 whatever the
        # input; DRF gives it before any view reads the values.
        return self.get_response(request)

    @staticmethod
    def _refuse(request, fields: list[str]):
        message = _("Remove the null character (\\0) from this value and send it again.")
        if request.path.startswith("/fhir/"):
            return JsonResponse(
                {
                    "resourceType": "OperationOutcome",
                    "issue": [
                        {
                            "severity": "error",
                            "code": "invalid",
                            "diagnostics": f"{', '.join(fields)}: {message}",
                            "expression": fields,
                        }
                    ],
                },
                status=400,
                content_type="application/fhir+json",
            )
        if request.path.startswith("/api/"):
            return JsonResponse({field: [message] for field in fields}, status=400)
        return render(
            request,
            "bad_input.html",
            {"fields": fields, "message": message, "back": request.path},
            status=400,
        )
