"""Actions other apps offer on the staff client page (export, refer, ...). Each app
appends to CLIENT_ACTIONS from its AppConfig.ready(); an action shows to members holding
any of its roles."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class ClientAction:
    label: str
    url_name: str
    roles: frozenset


CLIENT_ACTIONS: list[ClientAction] = []


def register(action: ClientAction) -> None:
    if action not in CLIENT_ACTIONS:
        CLIENT_ACTIONS.append(action)


def actions_for(*, membership, organization, client) -> list[dict]:
    return [
        {
            "label": action.label,
            "url": reverse(
                action.url_name, kwargs={"org": organization.slug, "client_id": client.public_id}
            ),
        }
        for action in CLIENT_ACTIONS
        if membership.has_role(*action.roles)
    ]
