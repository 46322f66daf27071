"""The staff dashboard's cards. Each app registers what a member should see when their
day starts, from its `extensions.py` (continuum.extensions): a `DashboardCard` whose
`build(request)` returns the card's content for that member, or None when it has nothing
to say to them. A card shows to members holding any of its roles, ordered by `position`:
safety first (0-19), the day's work (20-39), then each line's own (40-99).

Every card carries a count, so the dashboard answers "how much" before "what"."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from continuum.extensions import Registry


@dataclass(frozen=True)
class CardItem:
    title: str
    url: str = ""
    detail: str = ""
    badge: str = ""
    # urgent, high, normal, low or ok: the badge's colour and the row's weight.
    severity: str = ""
    # A one-button action on the row (e.g. acknowledge), posted from the dashboard.
    action_url: str = ""
    action_label: str = ""
    action_hidden: str = ""


@dataclass(frozen=True)
class BoardColumn:
    title: str
    count: int
    items: list[CardItem] = field(default_factory=list)


@dataclass(frozen=True)
class CardContent:
    title: str
    count: int
    items: list[CardItem] = field(default_factory=list)
    url: str = ""
    link_label: str = ""
    severity: str = "normal"
    empty: str = ""
    explain: str = ""
    # A board (the request pipeline) has columns instead of items.
    columns: list[BoardColumn] = field(default_factory=list)
    name: str = ""

    @property
    def template(self) -> str:
        return "components/board.html" if self.columns else "components/card.html"


@dataclass(frozen=True)
class DashboardCard:
    name: str
    roles: frozenset
    build: Callable
    position: int = 50


CARDS: Registry[DashboardCard] = Registry(
    "dashboard_cards", key="name", holds="DashboardCard: a card of the staff dashboard"
)
register = CARDS.register
register_all = CARDS.register_all


def cards_for(request, registry: Registry | None = None) -> list[CardContent]:
    """The cards this member sees (of the dashboard, or of another registry of cards such
    as My work's), in position order, each built for them."""
    membership = request.membership
    built = []
    for card in sorted((registry or CARDS).values(), key=lambda card: card.position):
        if not membership.has_role(*card.roles):
            continue
        content = card.build(request)
        if content is not None:
            # The name becomes the card's heading id.
            built.append(replace(content, name=card.name.replace(".", "-")))
    return built
