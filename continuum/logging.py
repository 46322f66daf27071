"""Request ids tie a request's log lines and audit events together."""

import contextvars
import logging
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# Who is on the other end of the current request, for the audit trail.
client_meta_var: contextvars.ContextVar[dict] = contextvars.ContextVar("client_meta", default={})  # noqa: B039
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    """Accepts a well-formed X-Request-ID from the proxy, otherwise mints one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        meta_token = client_meta_var.set(
            {
                "ip": request.META.get("REMOTE_ADDR") or None,
                "user_agent": request.headers.get("User-Agent", "")[:300],
            }
        )
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
            client_meta_var.reset(meta_token)
        response["X-Request-ID"] = request.request_id
        return response
