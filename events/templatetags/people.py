"""What people typed, shown inside sentences."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bdi(value: object) -> SafeString:
    """``value`` escaped, in a <bdi>: a name in Arabic or Hebrew keeps its own direction without
    reordering the sentence around it (``{% blocktranslate with name=person.name|bdi %}``)."""
    return format_html("<bdi>{}</bdi>", value)
