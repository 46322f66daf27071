"""Every change in the care spine: episodes and their phases, handoffs, tasks, safety
events and the on-call rota. One transaction per use case, audited.

One module per entity; each one's public names are offered here
(`continuum.packages.reexport`), so callers import
`from continuum.care import services` or `from continuum.care.services import x`."""

from continuum.packages import reexport

__all__ = reexport(__name__)
