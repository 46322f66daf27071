from django import template

from continuum.care.models import Phase

register = template.Library()


@register.filter
def phase_label(value: str) -> str:
    return Phase(value).label if value in Phase.values else ""
