from django import template

from ..selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """`{% unread_notification_count as unread %}`: one COUNT query, none outside an
    organization or for anonymous visitors."""
    request = context.get("request")
    organization = getattr(request, "organization", None)
    user = getattr(request, "user", None)
    if organization is None or user is None or not user.is_authenticated:
        return 0
    return notification_unread_count(organization=organization, user=user)
