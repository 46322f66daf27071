"""Every change to the directory and to referrals: one function per use case.

One module per entity; each one's public names are offered here
(`continuum.packages.reexport`), so callers import
`from referrals import services` or `from referrals.services import x`."""

from continuum.packages import reexport

__all__ = reexport(__name__)
