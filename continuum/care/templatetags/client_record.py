"""The client record's tab row, for every page that is one of its tabs."""

from django import template

from continuum.care.actions import tabs_for

register = template.Library()


@register.inclusion_tag("care/partials/client_tabs.html", takes_context=True)
def client_tabs(context, client):
    request = context["request"]
    return {
        "client": client,
        "tabs": tabs_for(
            membership=request.membership,
            organization=request.organization,
            client=client,
            current=request.path,
        ),
    }
