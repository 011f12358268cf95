"""Date ranges as every page writes them: the first date's year only when it differs
("22 Dec 2025 - 12 Jan 2026", "9 Nov - 30 Nov 2026", with an en dash). In people, the lowest floor, so
every app's templates may load it: {% load lodestar_dates %}{% date_range a b %}."""

import datetime

from django import template
from django.utils import dateformat

register = template.Library()
EN_DASH = "\u2013"


@register.simple_tag
def date_range(start: datetime.date | None, end: datetime.date | None) -> str:
    """ "9 Nov - 30 Nov 2026", or "22 Dec 2025 - 12 Jan 2026" across a new year. A
    missing end gives "from 9 Nov 2026"; a missing start "until 30 Nov 2026"."""
    if start is None and end is None:
        return ""
    if end is None:
        return f"from {dateformat.format(start, 'j M Y')}"
    if start is None:
        return f"until {dateformat.format(end, 'j M Y')}"
    first = "j M" if start.year == end.year else "j M Y"
    return f"{dateformat.format(start, first)} {EN_DASH} {dateformat.format(end, 'j M Y')}"
