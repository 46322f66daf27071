"""Where a refused disclosure leads: the page that records the consent it was missing,
filled in with the recipient, purpose and information that were asked for."""

from urllib.parse import urlencode

from django.urls import reverse

from .services import ConsentRequired


def record_consent_path(*, organization, refusal: ConsentRequired) -> str:
    wanted = refusal.wanted or {}
    client = wanted.get("client")
    if client is None:
        return ""
    path = reverse(
        "staff:client_consent_new",
        kwargs={"org": organization.slug, "client_id": client.public_id},
    )
    query = [
        ("recipient_kind", wanted["recipient_kind"]),
        ("recipient_name", wanted["recipient_name"]),
        ("purposes", wanted["purpose"]),
    ] + [("information_categories", category) for category in wanted["information"]]
    family_member = wanted.get("recipient_family_member")
    if family_member is not None:
        query.append(("recipient_family_member", str(family_member.public_id)))
    return f"{path}?{urlencode(query)}"


def prefill(query) -> dict:
    """The consent form's initial values from a refusal's link (GET parameters)."""
    initial = {}
    for name in ("recipient_kind", "recipient_name", "recipient_family_member"):
        if query.get(name):
            initial[name] = query.get(name)[:200]
    for name in ("purposes", "information_categories"):
        values = [v[:64] for v in query.getlist(name)][:20]
        if values:
            initial[name] = values
    return initial
