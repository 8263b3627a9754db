"""The minutes as a Word document (.docx), with the same content and order as the PDF.

Real Word structure rather than formatted text: Heading 1/2 styles (so the navigation pane and a table of
contents work), numbered lists, and tables whose header row repeats on every page. East Asian text gets
its own font (`w:eastAsia`): 宋体 for the body and 黑体 for headings, which Word and WPS both have.
"""

import io
import unicodedata
from html.parser import HTMLParser

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsmap, qn
from docx.shared import Mm, Pt, RGBColor

from meetings.markdown import render_markdown
from meetings.numerals import chinese_numeral
from meetings.templatetags.minutes import colon, long_date, long_datetime, time_range
from reports.minutes import prepare
from reports.templatetags.minutes_document import decision_label

BODY_FONT = ("Times New Roman", "宋体")
HEADING_FONT = ("Arial", "黑体")
RED = RGBColor(0xC0, 0x00, 0x00)


def _set_fonts(style_or_run, latin: str, east_asian: str) -> None:
    """Latin and East Asian fonts. Theme font attributes are removed: Word prefers them over names."""
    style_or_run.font.name = latin
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _setup_styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _set_fonts(normal, *BODY_FONT)
    normal.font.size = Pt(11)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(3)
    for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12)):
        style = styles[name]
        _set_fonts(style, *HEADING_FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = True
        style.paragraph_format.keep_with_next = True  # no heading alone at the bottom of a page
    for name in ("List Number", "List Bullet", "Table Grid"):
        _set_fonts(styles[name], *BODY_FONT)


def _field(paragraph, instruction: str) -> None:
    """A Word field such as PAGE or NUMPAGES, updated by Word when it lays out the pages."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


# Word's own WordArt shape type for text watermarks (Design > Watermark), copied as Word writes it.
_WATERMARK_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"'
    ' path="m@7,l@8,m@5,21600l@6,21600e">'
    "<v:formulas>"
    '<v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>'
    '<v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>'
    '<v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/>'
    '<v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/>'
    '<v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/>'
    "</v:formulas>"
    '<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"'
    ' o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/>'
    '<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
)
_VML_NAMESPACES = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "w10": "urn:schemas-microsoft-com:office:word",
}
WATERMARK_WIDTH_PT = 414  # Word's default width for an automatic-size watermark on A4


def _watermark_run(text: str, number: int):
    """A run holding a diagonal, semi-transparent WordArt text, centred on the page behind the text.
    fitshape stretches the text to the box, so the box gets the text's proportions (CJK characters are
    one em wide, Latin letters about 0.65 em)."""
    ems = sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.65 for c in text) or 1
    latin, east_asian = HEADING_FONT
    font = latin if text.isascii() else east_asian
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _VML_NAMESPACES.items())
    run = parse_xml(
        f'<w:r xmlns:w="{nsmap["w"]}" {namespaces}><w:rPr><w:noProof/></w:rPr><w:pict>'
        f"{_WATERMARK_SHAPETYPE}"
        f'<v:shape id="PowerPlusWaterMarkObject{number}" o:spid="_x0000_s{2048 + number}" type="#_x0000_t136"'
        f' style="position:absolute;margin-left:0;margin-top:0;width:{WATERMARK_WIDTH_PT}pt;'
        f"height:{WATERMARK_WIDTH_PT / ems:.1f}pt;rotation:315;z-index:-251657216;"
        "mso-position-horizontal:center;mso-position-horizontal-relative:page;"
        'mso-position-vertical:center;mso-position-vertical-relative:page"'
        ' o:allowincell="f" fillcolor="#E8A3A3" stroked="f">'
        '<v:fill opacity=".5"/><v:textpath/><w10:wrap anchorx="page" anchory="page"/>'
        "</v:shape></w:pict></w:r>"
    )
    textpath = run.find(".//v:shape/v:textpath", _VML_NAMESPACES)
    textpath.set("style", f'font-family:"{font}";font-size:1pt')  # set() escapes quotes and markup
    textpath.set("string", text)
    return run


def add_watermark(document, text: str) -> None:
    """Word's text watermark: a shape in the header of every page (first-page and even-page headers too
    when the document has them), behind the body text."""
    headers = []
    for section in document.sections:
        headers.append(section.header)
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if document.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
    for number, header in enumerate(headers, 1):
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        paragraph._p.append(_watermark_run(text, number))


def _page_setup(document, doc: dict, *, is_draft: bool, mark: str) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(28), Mm(24)
    section.left_margin, section.right_margin = Mm(26), Mm(24)
    header = section.header.paragraphs[0]
    header.text = doc["meeting"]["title"]
    draft = pgettext("watermark", "草稿") if is_draft else ""
    for text in (draft, mark):
        if text:
            header.add_run("  " + text).font.color.rgb = RED
    if draft:
        add_watermark(document, draft)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    english = not (translation.get_language() or "zh-hans").startswith("zh")
    footer.add_run("Page " if english else "第 ")
    _field(footer, "PAGE")
    footer.add_run(" of " if english else " 页 / 共 ")
    _field(footer, "NUMPAGES")
    if not english:
        footer.add_run(" 页")


def _repeat_header_row(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _keep_row_together(row) -> None:
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _table(document, headings: list[str], rows: list[list[str]], widths_mm: list[int]):
    table = document.add_table(rows=1, cols=len(headings))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header_row(table.rows[0])
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(heading)
        run.bold = True
        _set_fonts(run, *HEADING_FONT)
    for values in rows:
        row = table.add_row()
        _keep_row_together(row)
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def _new_numbered_list(document) -> int:
    """A fresh numbering for one list. All "List Number" paragraphs share one numbering by default, so
    without this the second list in the document would go on from where the first one stopped."""
    numbering = document.part.numbering_part.element
    style_num = document.styles["List Number"].element.pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _numbered(document, text: str, num_id: int):
    paragraph = document.add_paragraph(text, style="List Number")
    paragraph._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num_id
    return paragraph


class _MarkdownToWord(HTMLParser):
    """Writes the sanitised HTML of meetings.markdown into Word paragraphs: lists become Word lists,
    bold and italic become run formatting, line breaks stay line breaks."""

    def __init__(self, document, *, label: str = "", secret: bool = False):
        super().__init__(convert_charrefs=True)
        self.secret = secret
        self.document = document
        self.paragraph = None
        self.lists: list[tuple[str, int | None]] = []
        self.bold = self.italic = 0
        # "决议一:" leads the first paragraph, or stands on its own line above a list.
        self.label = label

    def _add_label(self, paragraph) -> None:
        if self.label:
            paragraph.add_run(self.label).bold = True
            if self.secret:
                _secret_tag(paragraph)
            self.label = ""

    def _new(self, style: str | None = None):
        self.paragraph = self.document.add_paragraph(style=style)
        self._add_label(self.paragraph)
        return self.paragraph

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.lists.append((tag, _new_numbered_list(self.document) if tag == "ol" else None))
        elif tag == "li":
            if self.label:
                self._new()
            kind, num_id = self.lists[-1] if self.lists else ("ul", None)
            if kind == "ol":
                self.paragraph = _numbered(self.document, "", num_id)
            else:
                self.paragraph = self.document.add_paragraph(style="List Bullet")
        elif tag in ("p", "pre", "blockquote") and not self.lists:
            self._new()
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.paragraph = None
        elif tag in ("strong", "b"):
            self.bold -= 1
        elif tag in ("em", "i"):
            self.italic -= 1

    def handle_data(self, data):
        if not data.strip("\n"):
            return
        if self.paragraph is None:
            self._new()
        run = self.paragraph.add_run(data.replace("\n", ""))
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None


def _rich_text(document, text: str, *, label: str = "", secret: bool = False) -> None:
    parser = _MarkdownToWord(document, label=label, secret=secret)
    parser.feed(str(render_markdown(text)))
    parser.close()
    if parser.label:  # no text at all: keep the label
        parser._add_label(document.add_paragraph())


def _secret_tag(paragraph, secret: bool = True):
    """The red 机密 tag the PDF puts on a confidential agenda item or decision, for a reader who may see
    it: whoever edits or forwards the Word file can still tell which parts are restricted."""
    if secret:
        run = paragraph.add_run(_("【%(mark)s】") % {"mark": pgettext("classification", "机密")})
        run.bold, run.font.color.rgb = True, RED
    return paragraph


def _presenter(presenter: dict) -> str:
    return _("(汇报人:%(name)s)") % {"name": presenter["display"]}


def _section_title(number: int) -> str:
    english = not (translation.get_language() or "zh-hans").startswith("zh")
    return f"{number}. " if english else f"{chinese_numeral(number)}、"


def minutes_docx(document: dict, *, publication: dict | None = None, language: str | None = None) -> bytes:
    """The .docx bytes of the (already reader-filtered) minutes document."""
    with translation.override(language or translation.get_language()):
        return _build(document, publication)


def _build(document: dict, publication: dict | None) -> bytes:  # noqa: C901 (one document, top to bottom)
    doc = prepare(document)
    meeting = doc["meeting"]
    classified = meeting["is_confidential"]
    mark = pgettext("classification", "机密") if classified else ""
    if (
        not mark
        and not doc.get("filtered")
        and any(d["confidential"] for d in doc["decisions"] + doc["agenda"])
    ):
        mark = _("内部资料 注意保密")
    word = Document()
    _setup_styles(word)
    is_draft = publication is None and meeting["status"] != "published"
    _page_setup(word, doc, is_draft=is_draft, mark=mark)
    props = word.core_properties
    props.title = f"《{meeting['title']}》{_('会议纪要')}"
    props.author = settings.ORGANISATION_NAME or ""

    if mark:
        para = word.add_paragraph()
        run = para.add_run(f"{_('密级')}{colon()}{mark}" if classified else mark)
        run.bold = True
        run.font.color.rgb = RED
    if settings.ORGANISATION_NAME:
        para = word.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(settings.ORGANISATION_NAME)
        run.bold, run.font.size, run.font.color.rgb = True, Pt(20), RED
        _set_fonts(run, *HEADING_FONT)
    if meeting["document_number"]:
        word.add_paragraph(meeting["document_number"]).alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = word.add_paragraph(_("《%(title)s》会议纪要") % {"title": meeting["title"]}, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER

    attendance = doc["attendance"]
    # One line per department, as in the PDF.
    present = "\n".join(
        (f"{g['department']}{colon()}" if g["department"] else "") + g["names"] for g in attendance["present"]
    )
    details = [
        (_("会议时间"), time_range(meeting["starts"], meeting["ends"])),
        (_("会议地点"), meeting["location"] or "—"),
        (_("主持人"), (doc["chair"] or {}).get("display") or "—"),
        (_("记录人"), (doc["recorder"] or {}).get("display") or "—"),
        (_("参会人员"), present or "—"),
        (_("缺席人员"), attendance["absent_text"] or "—"),
        (_("列席/特邀人员"), attendance["guests_text"] or "—"),
    ]
    table = word.add_table(rows=0, cols=2)
    table.style = word.styles["Table Grid"]
    for label, value in details:
        row = table.add_row()
        _keep_row_together(row)
        row.cells[0].text = ""
        run = row.cells[0].paragraphs[0].add_run(label)
        run.bold = True
        _set_fonts(run, *HEADING_FONT)
        row.cells[1].text = value
        row.cells[0].width, row.cells[1].width = Mm(28), Mm(132)

    number = 0

    def section(heading: str) -> None:
        nonlocal number
        number += 1
        word.add_heading(_section_title(number) + heading, level=1)

    if meeting["background"]:
        section(_("会议背景与目的"))
        _rich_text(word, meeting["background"])
    if doc["agenda"]:
        section(_("会议议程"))
        agenda_list = _new_numbered_list(word)
        for day in doc["agenda_days"]:
            if doc["multi_day"]:
                word.add_heading(_("第 %(day)s 天") % {"day": day["day"]}, level=2)
            for item in day["items"]:
                text = item["title"]
                if item["presenter"]:
                    text += _presenter(item["presenter"])
                _secret_tag(_numbered(word, text, agenda_list), item["confidential"])
    previous = doc.get("previous_actions")
    if previous:
        section(_("上次会议行动项落实情况"))
        word.add_paragraph(
            _("上次会议:%(title)s,%(date)s")
            % {"title": previous["meeting"]["title"], "date": long_date(previous["meeting"]["starts"])}
        )
        rows = [
            [str(a["number"]), a["title"], a["leads_cell"], a["deadline_cell"], a["status_cell"],
             a["latest_note"] or "—"]
            for a in previous["actions"]
        ]  # fmt: skip
        headings = [_("序号"), _("事项"), _("牵头人"), _("完成时限"), _("状态"), _("最新进展")]
        _table(word, headings, rows, [10, 50, 20, 28, 18, 34])
    if doc["agenda"]:
        section(_("议题汇报"))
        for item in doc["agenda"]:
            heading = f"{item['number']}. {item['title']}"
            if item["presenter"]:
                heading += _presenter(item["presenter"])
            _secret_tag(word.add_heading(heading, level=2), item["confidential"])
            for report in item["reports"]:
                _rich_text(word, report["content"], label=f"{report['speaker']}{colon()}")
    if doc["issues"]:
        section(_("问题与讨论"))
        for n, decision in enumerate(doc["issues"], 1):
            heading = word.add_heading(_("问题%(number)s") % {"number": n}, level=2)
            _secret_tag(heading, decision["confidential"])
            if decision["problem"]:
                _rich_text(word, decision["problem"], label=f"{_('问题描述')}{colon()}")
            if decision["discussion"]:
                _rich_text(word, decision["discussion"], label=f"{_('讨论')}{colon()}")
            word.add_paragraph(f"{_('决定')}{colon()}{decision_label(decision['number'])}")
    if doc["decisions"]:
        section(_("会议决议"))
        for decision in doc["decisions"]:
            label = f"{decision_label(decision['number'])}{colon()}"
            _rich_text(word, decision["text"], label=label, secret=decision["confidential"])
    section(_("行动项"))
    if doc["actions"]:
        rows = [
            [str(a["number"]), a["title_cell"], a["leads_cell"], a["supports_cell"], a["deadline_cell"],
             a["status_cell"]]
            for a in doc["actions"]
        ]  # fmt: skip
        headings = [_("序号"), _("事项"), _("牵头人"), _("配合人"), _("完成时限"), _("状态")]
        _table(word, headings, rows, [10, 58, 22, 22, 30, 18])
    else:
        word.add_paragraph(_("本次会议未形成行动项。"))
    if meeting["summary"]:
        section(_("总结与展望"))
        _rich_text(word, meeting["summary"])
    if publication:
        word.add_paragraph()
        word.add_paragraph(
            f"{_('版本')}{colon()}v{publication['version']}    "
            f"{_('签发人')}{colon()}{publication['published_by'] or '—'}    "
            f"{_('签发日期')}{colon()}{long_date(publication['published_at'])}"
        )
    else:
        para = word.add_paragraph(_("生成于 %(at)s") % {"at": long_datetime(timezone.localtime())})
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
