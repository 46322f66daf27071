"""My work's sections beyond tasks: what is assigned to a member in each line (the
interventions they run, the engagements they coach, the care plans they manage). Each
line registers a `DashboardCard` here from its `extensions.py`; its `build(request)`
returns the section (continuum.tenancy.dashboard.CardContent), with its count."""

from continuum.extensions import Registry
from continuum.tenancy.dashboard import DashboardCard

ASSIGNED: Registry[DashboardCard] = Registry(
    "my_work_sections", key="name", holds="DashboardCard: what a line assigns to a member"
)
register = ASSIGNED.register
register_all = ASSIGNED.register_all
