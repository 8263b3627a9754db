"""Speaker reports and other minutes text are written in a little Markdown (bullet lists, bold).

The web page, the print view and the PDF all render it through `render_markdown`, so one rule decides
what HTML user text may become. Raw HTML typed or pasted into the text (a `<script>`, Word's markup) is
escaped before Markdown sees it, so it shows as text; the Markdown output is then cleaned with nh3
against a short allow-list as a second line of defence. Only `&` and `<` are escaped: without `<` no
tag can start, and `>` must reach Markdown as itself to mark a quote.

Links and images are not allowed, but what the user wrote is kept: `[活动方案](https://…)` shows as
"活动方案(https://…)", as text.
"""

import functools
import re
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.treeprocessors import Treeprocessor

# Structure a minute-taker needs, nothing that can load anything: no links, images, styles or ids.
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote", "hr"}

# Markers Word leaves in HTML copied from a .docx; used to warn the user, never to parse anything.
_WORD_HTML = re.compile(r"<(o|w|m|v):\w+|mso-[a-z-]+\s*:|class=\"?Mso|urn:schemas-microsoft-com", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE_LINE = re.compile(r"^ {0,3}>")


def _open_lists(text: str) -> str:
    """People start a list on the line after a sentence ("要点:\n- 一"); Markdown wants a blank line
    there, so add it rather than have the list read as one run-on paragraph. Likewise a quote ends
    where its lines stop starting with `>`, not (as Markdown would have it) at the next blank line."""
    lines, out = text.splitlines(), []
    for line in lines:
        if _LIST_LINE.match(line) and out and out[-1].strip() and not _LIST_LINE.match(out[-1]):
            out.append("")
        elif line.strip() and out and _QUOTE_LINE.match(out[-1]) and not _QUOTE_LINE.match(line):
            out.append("")
        out.append(line)
    return "\n".join(out)


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


class _LinksAsText(Treeprocessor):
    """`<a href=u>text</a>` becomes "text(u)" and `<img alt=a src=u>` "a(u)": the allow-list drops links
    and images, and would drop the address with them. Made plain text here, nh3 keeps every word."""

    def run(self, root):
        for el in root.iter():
            if el.tag not in ("a", "img"):
                continue
            url = el.get("src" if el.tag == "img" else "href", "")
            if el.tag == "img":
                el.text = el.get("alt", "")
            label = "".join(el.itertext())
            el.tag = "span"  # not on the allow-list: nh3 removes the tag and keeps its text
            el.attrib.clear()
            if not url or url == label:
                continue
            suffix = f"({url})" if label else url
            if len(el):
                el[-1].tail = (el[-1].tail or "") + suffix
            else:
                el.text = (el.text or "") + suffix


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    """Building a Markdown instance costs more than converting a report; keep one per thread."""
    if not hasattr(_local, "converter"):
        converter = markdown_lib.Markdown(extensions=["sane_lists", "nl2br"], output_format="html")
        converter.treeprocessors.register(_LinksAsText(converter), "links_as_text", 15)  # after "inline"
        _local.converter = converter
    return _local.converter


def render_markdown(text: str) -> SafeString:
    """Minutes text as safe HTML: Markdown lists, bold and line breaks; everything else as text."""
    if not text:
        return mark_safe("")
    return mark_safe(_render(text))  # noqa: S308 - escaped and cleaned by _render


# A pure function of the text, and a page shows the same reports on every load: keep recent results.
@functools.lru_cache(maxsize=4096)
def _render(text: str) -> str:
    escaped = _open_lists(_escape_html(text))
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
