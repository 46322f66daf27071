"""What secure messaging adds to the spine (continuum.extensions), imported once from
`MessagingConfig.ready()`: message entries on the client timeline, its notification and
safety kinds, and the two buttons on the client record."""

from django.utils.translation import gettext_lazy as _

from continuum.care import actions, safety, timeline
from continuum.notifications import kinds
from continuum.notifications.models import Channel
from continuum.tenancy import portal
from continuum.tenancy.models import STAFF_ROLES, Role

from . import timeline as messaging_timeline
from .models import URGENT_KIND_CLIENT, URGENT_KIND_FAMILY

timeline.register(messaging_timeline.messages_provider)
kinds.register(
    "message_received",
    _("Secure messages"),
    # Text too, for whoever gave a mobile number; the words never carry the message.
    default_channels=(Channel.IN_APP, Channel.EMAIL, Channel.SMS),
)
# The e-mail says who it is from and links the sign-in by code, as every message leaving
# the platform does; the welcome itself is in the portal's inbox.
kinds.register("portal_invitation", _("Invitations to the portal"))
# A thread marked urgent asks the person answering for the thread's line first.
safety.register(URGENT_KIND_FAMILY, "Message thread marked urgent", line=Role.INTERVENTIONIST)
safety.register(URGENT_KIND_CLIENT, "Message thread marked urgent", line=Role.CASE_MANAGER)
actions.CLIENT_TABS.register(
    actions.ClientTab("Messages", "staff:messaging_client_threads", STAFF_ROLES, 90)
)
actions.register(
    actions.ClientAction("Invite to the portal", "staff:messaging_portal_invite", STAFF_ROLES)
)
# Unread messages are counted by the badge the section loads, not on the home page.
portal.register(
    portal.PortalSection(
        "messages",
        "messaging/portal_home_section.html",
        frozenset({Role.CLIENT, Role.FAMILY_MEMBER}),
        context=lambda request: {},
        position=300,
    )
)
