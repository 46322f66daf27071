"""What other apps add to the staff client record: actions (export, refer, ...) and
tabs (a line's own page about the client). Each app registers them from its
`extensions.py` (continuum.extensions); an entry shows to members holding any of its
roles.

The record is one page per client with tabs: the spine's overview and timeline, then
each line's page about the client and the spine's consents and messages. A tab is a
page of its own (its URL takes `client_id`) and shows the tab row with
`{% load client_record %}{% client_tabs client %}`, so each app keeps its page and the
spine never names one."""

from dataclasses import dataclass

from django.urls import reverse

from continuum.extensions import Registry


@dataclass(frozen=True)
class ClientAction:
    label: str
    url_name: str
    roles: frozenset


@dataclass(frozen=True)
class ClientTab:
    label: str
    url_name: str
    roles: frozenset
    # The spine's overview and timeline come first (10, 20), the lines next (30-79),
    # the spine's consents and messages last (80, 90).
    position: int = 50


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


def tabs_for(*, membership, organization, client, current: str = "") -> list[dict]:
    """The tabs the record shows this member, by position; the one at `current` (a path)
    is marked as the page being read."""
    tabs = sorted(
        (entry for entry in CLIENT_TABS.values() if membership.has_role(*entry.roles)),
        key=lambda entry: entry.position,
    )
    links = []
    for entry in tabs:
        url = reverse(
            entry.url_name, kwargs={"org": organization.slug, "client_id": client.public_id}
        )
        links.append({"label": entry.label, "url": url, "current": current == url})
    return links
