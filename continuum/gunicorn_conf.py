"""gunicorn settings shared by `make run`, the image and docker-compose.yml.

gunicorn configures its own loggers before Django loads, so without this its start-up
lines, worker timeouts and crash tracebacks would be plain text among JSON lines.
"""

_JSON = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": _JSON},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
# A request that outlives this is cut off and logged; the app's own waits are shorter.
timeout = 30
graceful_timeout = 20
