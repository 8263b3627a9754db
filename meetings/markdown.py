"""Speaker reports and other minutes text are written in a little Markdown (bullet lists, bold).

The web page, the print view and the PDF all render it through `render_markdown`, so one rule decides
what HTML user text may become. Raw HTML typed or pasted into the text (a `<script>`, Word's markup) is
escaped before Markdown sees it, so it shows as text; the Markdown output is then cleaned with nh3
against a short allow-list as a second line of defence.
"""

import functools
import html
import re
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

# Structure a minute-taker needs, nothing that can load anything: no links, images, styles or ids.
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote", "hr"}

# Markers Word leaves in HTML copied from a .docx; used to warn the user, never to parse anything.
_WORD_HTML = re.compile(r"<(o|w|m|v):\w+|mso-[a-z-]+\s*:|class=\"?Mso|urn:schemas-microsoft-com", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _open_lists(text: str) -> str:
    """People start a list on the line after a sentence ("要点:\n- 一"); Markdown wants a blank line
    there, so add it rather than have the list read as one run-on paragraph."""
    lines, out = text.splitlines(), []
    for line in lines:
        if _LIST_LINE.match(line) and out and out[-1].strip() and not _LIST_LINE.match(out[-1]):
            out.append("")
        out.append(line)
    return "\n".join(out)


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    """Building a Markdown instance costs more than converting a report; keep one per thread."""
    if not hasattr(_local, "converter"):
        _local.converter = markdown_lib.Markdown(extensions=["sane_lists", "nl2br"], output_format="html")
    return _local.converter


def render_markdown(text: str) -> SafeString:
    """Minutes text as safe HTML: Markdown lists, bold and line breaks; everything else as text."""
    if not text:
        return mark_safe("")
    return mark_safe(_render(text))  # noqa: S308 - escaped and cleaned by _render


# A pure function of the text, and a page shows the same reports on every load: keep recent results.
@functools.lru_cache(maxsize=4096)
def _render(text: str) -> str:
    escaped = _open_lists(html.escape(text, quote=False))
    rendered = _converter().reset().convert(escaped)
    return nh3.clean(rendered, tags=ALLOWED_TAGS, attributes={}, url_schemes=set())


def looks_like_html(text: str) -> str:
    """ "word" when the text is HTML copied from Word, "html" for other markup, "" for plain text.
    The editor keeps such text as typed (it renders as text) and tells the user."""
    if _WORD_HTML.search(text or ""):
        return "word"
    if _ANY_TAG.search(text or ""):
        return "html"
    return ""
