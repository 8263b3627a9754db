"""Helpers for templates that render the minutes from meetings.document data rather than models."""

from django import template

from meetings import numerals

register = template.Library()

# 决议三 / Decision 3, from a stored number.
decision_label = register.filter("decision_label", numerals.decision_label)
