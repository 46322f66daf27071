"""Every state change of follow-up after discharge: one function per use case, one
transaction, an audit event beside each write.

One module per entity; each one's public names are offered here
(`continuum.packages.reexport`), so callers import
`from outcomes import services` or `from outcomes.services import x`."""

from continuum.packages import reexport

__all__ = reexport(__name__)
