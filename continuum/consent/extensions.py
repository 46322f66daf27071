"""What consent adds through the extension contract (continuum.extensions): the
client's portal pages about their consents and what was shared, and the consents tab
of the staff client record."""

from django.utils.translation import gettext_lazy as _

from continuum.care import actions
from continuum.tenancy import navigation
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.navigation import NavEntry

CLIENT = frozenset({Role.CLIENT})

navigation.register_all(
    NavEntry("portal", _("Consents"), "portal:consent_list", CLIENT, 20),
    NavEntry("portal", _("Shared records"), "portal:disclosure_list", CLIENT, 30),
)
actions.CLIENT_TABS.register(
    actions.ClientTab("Consents", "staff:client_consents", STAFF_ROLES, 80)
)
