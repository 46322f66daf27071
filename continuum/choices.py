"""Vocabulary shapes several tables share."""

from collections.abc import Iterable, Iterator, Mapping


class Lifecycle(Mapping):
    """Which statuses may follow each status of a record, declared once.

    Reads as a mapping from a status to the statuses that may follow it, in declared
    order. A status nothing may follow is final; every other one is open, so "open" and
    "what may come next" cannot disagree."""

    def __init__(self, statuses: Iterable[str], follows: Mapping[str, Iterable[str]]):
        statuses = list(statuses)
        unknown = set(follows).union(*map(set, follows.values())) - set(statuses)
        if unknown:
            raise ValueError(f"Not statuses of this lifecycle: {sorted(unknown)}")
        self._follows = {status: tuple(follows.get(status, ())) for status in statuses}
        self.open = tuple(status for status in statuses if self._follows[status])
        self.final = frozenset(statuses) - set(self.open)

    def __getitem__(self, status: str) -> tuple[str, ...]:
        return self._follows[status]

    def __iter__(self) -> Iterator[str]:
        return iter(self._follows)

    def __len__(self) -> int:
        return len(self._follows)
