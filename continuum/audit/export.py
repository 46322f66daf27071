import csv
from collections.abc import Iterable, Iterator

from .models import AuditEvent

# What an event says, as the export and the API name it; the time and actor come first.
EVENT_FIELDS = ["action", "object_type", "object_id", "client_id", "ip", "user_agent", "request_id"]
COLUMNS = ["time_utc", "actor_email", *EVENT_FIELDS]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The trail as CSV lines, one event at a time, so an export of any size streams."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for event in events:
        yield writer.writerow(
            [
                safe_cell(value)
                for value in (
                    event.at.isoformat(),
                    event.actor_email,
                    event.action,
                    event.object_type,
                    event.object_id,
                    event.client_id or "",
                    event.ip or "",
                    event.user_agent,
                    event.request_id,
                )
            ]
        )
