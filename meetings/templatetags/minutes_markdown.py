"""`{{ report.content|markdown }}`: minutes text rendered through meetings.markdown (safe HTML)."""

from django import template

from meetings.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value) -> str:
    return render_markdown(value or "")
