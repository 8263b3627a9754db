"""Number formats of the period report, shared by the page and the PDF."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

DASH = "—"


@register.filter
def pct(value) -> str:
    """95.0 → "95.0%"; nothing to rate → "—"."""
    return DASH if value is None else f"{value:.1f}%"


@register.filter
def pp(value) -> str:
    """A change in 百分点 with its sign: −10.0 → "−10.0 个百分点" (a true minus sign)."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return _("%(sign)s%(value)s 个百分点") % {"sign": sign, "value": f"{abs(value):.1f}"}


@register.filter
def num(value) -> str:
    if value is None:
        return DASH
    return f"{value:g}" if isinstance(value, float) else str(value)


@register.filter
def days(value) -> str:
    """3 → "3 天"; 1.5 → "1.5 天"."""
    if value is None:
        return DASH
    # gettext picks a plural form from a whole number; a fraction reads like a plural in English
    # ("1.5 days"), so it counts as 2.
    count = int(value) if float(value).is_integer() else 2
    return ngettext("%(days)s 天", "%(days)s 天", count) % {"days": f"{value:g}"}
