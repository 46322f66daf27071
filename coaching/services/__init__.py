"""Every state change of sober coaching: one function per use case, one transaction, an
audit event beside each write, follow-up work after commit.

One module per entity; each one's public names are offered here
(`continuum.packages.reexport`), so callers import
`from coaching import services` or `from coaching.services import x`."""

from continuum.packages import reexport
from continuum.tenancy.timezones import local_now

from ..models import AccompanimentKind, Intensity

__all__ = ["AccompanimentKind", "Intensity", "local_now", *reexport(__name__)]
