"""The extension contract: how an app adds to the spine without the spine knowing it.

Every place the spine can be extended is a `Registry`, kept beside the code that reads
it (the timeline's providers in `continuum.care.timeline`, the calendar's in
`continuum.notifications.calendar`, ...). Each app fills them from ONE module,
`<app>/extensions.py`, which its `AppConfig.ready()` imports; nothing else registers.
So "what does this app add to the spine?" has one file for an answer, and the spine
imports no service line (the import-linter contracts in pyproject.toml hold it to that).

A registry is an ordered, read-only mapping once start-up is over. It is keyed by the
entries' attribute(s) named in `key=` when its entries are looked up (handoffs, notification kinds, safety
kinds, FHIR resources); without one an entry is its own key, so iterating yields the
entries in registration order (timeline providers, navigation, calendar feeds).
`REGISTRIES` lists every registry by name, for the documentation and for the checks
that each is filled (docs/architecture.md, "The extension contract")."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from operator import attrgetter
from typing import Generic, TypeVar

T = TypeVar("T")

REGISTRIES: dict[str, Registry] = {}


class Registry(Mapping, Generic[T]):
    def __init__(self, name: str, *, holds: str, key: str | tuple[str, ...] = ()) -> None:
        if name in REGISTRIES:
            raise ValueError(f"A registry named {name!r} already exists.")
        self.name = name
        self.holds = holds
        keys = (key,) if isinstance(key, str) else key
        self._key = attrgetter(*keys) if keys else None
        self._items: dict[Hashable, T] = {}
        REGISTRIES[name] = self

    def key_of(self, item: T) -> Hashable:
        return item if self._key is None else self._key(item)

    def register(self, item: T, *, replace: bool = False) -> T:
        """Add `item` (returned, so this works as a decorator). Registering the same entry
        again changes nothing: `ready()` may run twice in tests. Another entry under a
        taken key is refused unless `replace`, because two apps claiming one name is a
        bug that would otherwise show only as the wrong behaviour."""
        key = self.key_of(item)
        existing = self._items.get(key)
        if existing is not None and existing != item and not replace:
            raise ValueError(f"{self.name}: {key!r} is already registered.")
        self._items[key] = item
        return item

    def register_all(self, *items: T) -> None:
        for item in items:
            self.register(item)

    def unregister(self, key: Hashable) -> None:
        """Remove the entry under `key` (the entry itself in an unkeyed registry)."""
        self._items.pop(key, None)

    @contextmanager
    def only(self, *items: T):
        """Tests: the registry holds `items` alone while the block runs."""
        saved = self._items
        self._items = {self.key_of(item): item for item in items}
        try:
            yield self
        finally:
            self._items = saved

    def __getitem__(self, key: Hashable) -> T:
        return self._items[key]

    def __iter__(self) -> Iterator:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self)} entries>"
