"""The handoff registry. Each app declares in its `extensions.py` what happens when an
episode enters or leaves a phase, naming a function of its own `handoffs.py`:

    from continuum.care.handoffs import registry

    registry.on_enter("aftercare", name="coaching.propose_engagement")(
        handoffs.propose_engagement
    )

A handoff runs in a Celery task after the transition commits, inside the organization's
scope and a transaction of its own, at most once successfully per transition. It must
be safe to run again after a failure (create with de-duplication keys)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from continuum.extensions import Registry

from .models import Phase


@dataclass(frozen=True)
class Handoff:
    name: str
    func: Callable
    enters: frozenset[str]
    leaves: frozenset[str]
    description: str = ""

    def applies_to(self, *, from_phase: str, to_phase: str) -> bool:
        return to_phase in self.enters or (bool(from_phase) and from_phase in self.leaves)


class HandoffRegistry(Registry[Handoff]):
    """Handoffs by name; the name is also what a `HandoffRun` row stores."""

    def __init__(self, name: str = "handoffs") -> None:
        super().__init__(
            name,
            holds="Handoff(name, func(*, transition), enters, leaves): work on a phase change",
            key="name",
        )

    def register(
        self,
        handoff: Handoff | None = None,
        *,
        replace: bool = False,
        name: str = "",
        enters: Iterable[str] = (),
        leaves: Iterable[str] = (),
        description: str = "",
    ):
        """`register(handoff)` adds a built Handoff; `register(name=, enters=, leaves=)`
        returns a decorator that builds one around the function it is given."""
        if handoff is not None:
            return super().register(handoff, replace=replace)
        enters, leaves = frozenset(enters), frozenset(leaves)
        unknown = (enters | leaves) - set(Phase.values)
        if unknown:
            raise ValueError(f"Handoff {name}: unknown phase {', '.join(sorted(unknown))}.")
        if not enters and not leaves:
            raise ValueError(f"Handoff {name} declares no phase.")

        def decorator(func: Callable) -> Callable:
            existing = self.get(name)
            if existing is not None and existing.func is not func:
                raise ValueError(f"Handoff name {name!r} is already registered.")
            description_ = description or (func.__doc__ or "").strip()
            super(HandoffRegistry, self).register(
                Handoff(name, func, enters, leaves, description_), replace=True
            )
            return func

        return decorator

    def on_enter(self, *phases: str, name: str, description: str = "") -> Callable:
        return self.register(name=name, enters=phases, description=description)

    def on_leave(self, *phases: str, name: str, description: str = "") -> Callable:
        return self.register(name=name, leaves=phases, description=description)

    def for_transition(self, *, from_phase: str, to_phase: str) -> list[Handoff]:
        return sorted(
            (h for h in self.values() if h.applies_to(from_phase=from_phase, to_phase=to_phase)),
            key=lambda h: h.name,
        )

    def names(self) -> list[str]:
        return sorted(self)


registry = HandoffRegistry()
