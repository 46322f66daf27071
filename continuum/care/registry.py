"""The handoff registry. Each service-line app declares in its own `handoffs.py` what
happens when an episode enters or leaves a phase:

    from continuum.care.handoffs import registry

    @registry.on_enter("aftercare", name="coaching.propose_engagement")
    def propose_engagement(*, transition):
        ...

A handoff runs in a Celery task after the transition commits, inside the organization's
scope and a transaction of its own, at most once successfully per transition. It must
be safe to run again after a failure (create with de-duplication keys)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


class HandoffRegistry:
    def __init__(self) -> None:
        self._handoffs: dict[str, Handoff] = {}

    def register(
        self,
        *,
        name: str,
        enters: Iterable[str] = (),
        leaves: Iterable[str] = (),
        description: str = "",
    ) -> Callable:
        enters, leaves = frozenset(enters), frozenset(leaves)
        unknown = (enters | leaves) - set(Phase.values)
        if unknown:
            raise ValueError(f"Handoff {name}: unknown phase {', '.join(sorted(unknown))}.")
        if not enters and not leaves:
            raise ValueError(f"Handoff {name} declares no phase.")

        def decorator(func: Callable) -> Callable:
            existing = self._handoffs.get(name)
            if existing is not None and existing.func is not func:
                raise ValueError(f"Handoff name {name!r} is already registered.")
            self._handoffs[name] = Handoff(
                name, func, enters, leaves, description or (func.__doc__ or "").strip()
            )
            return func

        return decorator

    def on_enter(self, *phases: str, name: str, description: str = "") -> Callable:
        return self.register(name=name, enters=phases, description=description)

    def on_leave(self, *phases: str, name: str, description: str = "") -> Callable:
        return self.register(name=name, leaves=phases, description=description)

    def unregister(self, name: str) -> None:
        self._handoffs.pop(name, None)

    def get(self, name: str) -> Handoff | None:
        return self._handoffs.get(name)

    def for_transition(self, *, from_phase: str, to_phase: str) -> list[Handoff]:
        return sorted(
            (
                h
                for h in self._handoffs.values()
                if h.applies_to(from_phase=from_phase, to_phase=to_phase)
            ),
            key=lambda h: h.name,
        )

    def names(self) -> list[str]:
        return sorted(self._handoffs)


registry = HandoffRegistry()
