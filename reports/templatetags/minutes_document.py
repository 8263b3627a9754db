"""Helpers for templates that render the minutes from reports.document data rather than models."""

from django import template
from django.utils.translation import gettext as _

from meetings.numerals import ordinal_for_language

register = template.Library()


@register.filter
def decision_label(number) -> str:
    """决议三 / Decision 3: the same wording as Decision.label, from a stored number."""
    return _("决议%(number)s") % {"number": ordinal_for_language(int(number))}
