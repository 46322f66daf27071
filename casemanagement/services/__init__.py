"""Every change to case-management records: one function per use case, each in one
transaction with its audit event.

One module per entity; each one's public names are offered here
(`continuum.packages.reexport`), so callers import
`from casemanagement import services` or `from casemanagement.services import x`."""

from continuum.packages import reexport

from ._shared import SAFETY_ITEM9, plan_owner

__all__ = ["SAFETY_ITEM9", "plan_owner", *reexport(__name__)]
