"""Minutes text in Markdown: lists and bold render; raw HTML never passes through, whatever is pasted."""

from html.parser import HTMLParser

import pytest

from meetings.markdown import ALLOWED_TAGS, looks_like_html, render_markdown

# Common XSS vectors (after the OWASP filter-evasion cheat sheet), as a minute-taker might paste them.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil.example/xss.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<IMG SRC=javascript:alert('XSS')>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">点我</a>',
    "[点我](javascript:alert(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](file:///etc/passwd)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    '<object data="javascript:alert(1)"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '"><script>alert(document.cookie)</script>',
    "<details open ontoggle=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<link rel="stylesheet" href="http://evil.example/x.css">',
    "**粗体<script>alert(1)</script>**",
    "- 列表<img src=x onerror=alert(1)>",
]


class TagCollector(HTMLParser):
    """Every element and attribute a browser would build from the output."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += attrs


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_render_as_text(payload):
    html = render_markdown(payload)
    collector = TagCollector()
    collector.feed(html)
    # Only structure survives: no element outside the allow-list, and no attribute at all (no on*=,
    # href, src or style), so nothing can run or load. The payload itself is shown as text.
    assert collector.tags <= ALLOWED_TAGS, html
    assert collector.attributes == [], html


def test_bullets_and_bold_render():
    html = render_markdown("本周进展:\n- 完成**渠道测试**\n- 新增线索 120 条")
    assert "<ul>" in html and "<strong>渠道测试</strong>" in html and html.count("<li>") == 2


def test_numbered_lists_and_line_breaks():
    html = render_markdown("1. 第一点\n2. 第二点\n\n第一行\n第二行")
    assert "<ol>" in html and "第一行<br" in html


def test_script_is_shown_as_text():
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in render_markdown("<script>alert(1)</script>")


def test_empty_text():
    assert render_markdown("") == ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('<p class=MsoNormal><span style="mso-fareast-font-family:宋体">要点</span><o:p></o:p></p>', "word"),
        ("<b>加粗</b>", "html"),
        ("a < b 且 c > d", ""),
        ("普通文字", ""),
    ],
)
def test_pasted_html_is_recognised(text, kind):
    assert looks_like_html(text) == kind


def test_quote_renders_and_ends_where_its_lines_stop():
    html = render_markdown("王总指出:\n> 渠道要抓紧\n> 四月底前完成\n会议决定推进")
    assert "<blockquote>" in html and "渠道要抓紧<br>" in html
    assert html.endswith("</blockquote>\n<p>会议决定推进</p>"), html


def test_raw_html_inside_a_quote_is_still_text():
    html = render_markdown("> <script>alert(1)</script>")
    assert "<blockquote>" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("a < b 且 c > d & e", "a &lt; b 且 c &gt; d &amp; e"),
    ],
)
def test_markup_is_shown_as_typed(text, shown):
    assert render_markdown(text) == f"<p>{shown}</p>"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "详见[活动方案](https://example.cn/plan?id=1&v=2)。",
            "详见活动方案(https://example.cn/plan?id=1&amp;v=2)。",
        ),
        ("[**报名表**](https://example.cn/form)", "<strong>报名表</strong>(https://example.cn/form)"),
        ("[点我](javascript:alert(1))", "点我(javascript:alert(1))"),
        ("![现场照片](https://example.cn/a.png)", "现场照片(https://example.cn/a.png)"),
        ("见[方案][1]\n\n[1]: https://example.cn/ref", "见方案(https://example.cn/ref)"),
    ],
)
def test_links_show_their_address_as_text(text, shown):
    html = render_markdown(text)
    assert html == f"<p>{shown}</p>"
    assert "<a" not in html and "href" not in html
