"""Every change in the intervention service line: a family's request, triage, the plan,
the day and its outcome, and the family's healing afterwards.

One module per entity; each one's public names are offered here
(`continuum.packages.reexport`), so callers import
`from interventions import services` or `from interventions.services import x`."""

from continuum.packages import reexport

__all__ = reexport(__name__)
