"""What people typed, shown inside sentences."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def bdi(value: object) -> SafeString:
    """``value`` escaped, in a <bdi>: a name in Arabic or Hebrew keeps its own direction without
    reordering the sentence around it (``{% blocktranslate with name=person.name|bdi %}``)."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def person(attendee: Any) -> SafeString:
    """Who an attendee is, for a sentence: their name and, if given, their company in brackets,
    each in a <bdi> (``{% blocktranslate with who=attendee|person %}``)."""
    if not attendee.company:
        return bdi(attendee.name)
    return format_html(
        _("{name} ({company})"), name=bdi(attendee.name), company=bdi(attendee.company)
    )
