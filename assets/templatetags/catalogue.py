"""Template helpers of the catalogue."""

from django import template

register = template.Library()


@register.filter
def authorization_code(value) -> str:
    """The authorization state of a demand's link to a data resource, from the link or from its code."""
    if value in (None, ""):
        return ""
    return getattr(value, "authorization", value) or ""
