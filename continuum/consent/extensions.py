"""What consent adds through the extension contract (continuum.extensions): the
client's portal pages about their consents and what was shared."""

from django.utils.translation import gettext_lazy as _

from continuum.tenancy import navigation
from continuum.tenancy.models import Role
from continuum.tenancy.navigation import NavEntry

CLIENT = frozenset({Role.CLIENT})

navigation.register_all(
    NavEntry("portal", _("Consents"), "portal:consent_list", CLIENT, 20),
    NavEntry("portal", _("Shared records"), "portal:disclosure_list", CLIENT, 30),
)
