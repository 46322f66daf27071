"""What other apps add to the staff client record: actions (export, refer, ...) and
tabs (a line's own page about the client). Each app registers them from its
`extensions.py` (continuum.extensions); an entry shows to members holding any of its
roles."""

from dataclasses import dataclass

from django.urls import reverse

from continuum.extensions import Registry


@dataclass(frozen=True)
class ClientAction:
    label: str
    url_name: str
    roles: frozenset


ClientTab = ClientAction  # the same three fields: a label, a client page, its roles

CLIENT_ACTIONS: Registry[ClientAction] = Registry(
    "client_actions", key="url_name", holds="ClientAction: a button on the client record"
)
CLIENT_TABS: Registry[ClientTab] = Registry(
    "client_tabs", key="url_name", holds="ClientTab: a line's tab on the client record"
)
register = CLIENT_ACTIONS.register
register_tab = CLIENT_TABS.register


def _links(registry: Registry, *, membership, organization, client) -> list[dict]:
    return [
        {
            "label": entry.label,
            "url": reverse(
                entry.url_name, kwargs={"org": organization.slug, "client_id": client.public_id}
            ),
        }
        for entry in registry.values()
        if membership.has_role(*entry.roles)
    ]


def actions_for(*, membership, organization, client) -> list[dict]:
    return _links(CLIENT_ACTIONS, membership=membership, organization=organization, client=client)


def tabs_for(*, membership, organization, client) -> list[dict]:
    """The tabs the record page shows this member, in registration order."""
    return _links(CLIENT_TABS, membership=membership, organization=organization, client=client)
