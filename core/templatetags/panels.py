from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panels(context, panels):
    """Render the panels other apps contributed to this page, in their registration order."""
    request = context.get("request")
    return mark_safe("".join(render_to_string(p.template, {**p.context, "request": request}, request=request) for p in panels))  # each part rendered (and escaped) by its template
