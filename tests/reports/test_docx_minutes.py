"""The Word export: opens in python-docx (and so in Word and WPS), with real headings, lists, the action
table and Chinese fonts."""

import io

import docx
import pytest
from django.urls import reverse
from docx.oxml.ns import qn

from meetings import services
from reports.docx import add_watermark
from tests.reports.pdf_tools import docx_text
from tests.reports.test_pdf_minutes import (
    ACTIONS,
    DECISIONS,
    minutes,  # noqa: F401 (fixture)
    publish,
)

VML = "urn:schemas-microsoft-com:vml"


def english_client(client_for, user):
    user.language = "en"
    user.save()
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def watermarks(header) -> list:
    """The WordArt shapes of a header: (text, shape style) for each v:textpath with a string."""
    return [
        (textpath.get("string"), textpath.getparent().get("style"))
        for textpath in header._element.iter(f"{{{VML}}}textpath")
        if textpath.get("string") is not None
    ]


def save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def download_docx(client, meeting) -> bytes:
    response = client.get(reverse("reports:minutes_docx", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"].endswith('.docx"')
    return response.content


@pytest.mark.django_db
def test_docx_has_headings_in_the_pdfs_order(client_for, chair, minutes):  # noqa: F811
    document = docx.Document(io.BytesIO(download_docx(client_for(chair), minutes)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、会议背景与目的",
        "二、会议议程",
        "三、议题汇报",
        "四、问题与讨论",
        "五、会议决议",
        "六、行动项",
        "七、总结与展望",
    ]
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [
        "《市场部第12次周例会》会议纪要"
    ]
    assert any(p.style.name == "Heading 2" and p.text.startswith("1. 议题1") for p in document.paragraphs)
    agenda = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert agenda[0].startswith("议题1:市场推广回顾(汇报人:王芳")
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "全网累计曝光量超过500万次" in bullets
    text = docx_text(download_docx(client_for(chair), minutes))
    for _problem, _discussion, decision in DECISIONS:
        assert decision in text
    assert "决议一:" in text


@pytest.mark.django_db
def test_docx_action_table_has_every_item_and_a_repeating_header(client_for, chair, minutes):  # noqa: F811
    document = docx.Document(io.BytesIO(download_docx(client_for(chair), minutes)))
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["序号", "事项", "牵头人", "配合人", "完成时限", "状态"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert all(row[1].startswith(title) for row, title in zip(rows, ACTIONS, strict=True))
    # The same cells as the PDF: the decision the item serves, and the date its wording (两周内) was
    # planned to.
    assert rows[0] == ["1", f"{ACTIONS[0]}(决议一)", "王芳", "张伟", "2030年4月1日", "未开始"]


@pytest.mark.django_db
def test_docx_sets_chinese_fonts_for_east_asian_text(client_for, chair, minutes):  # noqa: F811
    document = docx.Document(io.BytesIO(download_docx(client_for(chair), minutes)))

    def east_asian(style_name):
        fonts = document.styles[style_name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the name
        return fonts.get(qn("w:eastAsia"))

    assert east_asian("Normal") == "宋体"
    assert (
        east_asian("Heading 1") == "黑体"
        and east_asian("Heading 2") == "黑体"
        and east_asian("Title") == "黑体"
    )


@pytest.mark.django_db
def test_docx_page_footer_counts_pages(client_for, chair, minutes):  # noqa: F811
    document = docx.Document(io.BytesIO(download_docx(client_for(chair), minutes)))
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "第 " in footer
    header = document.sections[0].header.paragraphs[0].text
    assert "市场部第12次周例会" in header and "草稿" in header


@pytest.mark.django_db
def test_each_numbered_list_in_the_docx_starts_at_one(client_for, chair, minutes):  # noqa: F811
    item = minutes.agenda_items.first()
    services.speaker_report_add(
        agenda_item=item, speaker=chair, content="两点意见:\n1. 控制预算\n2. 月底前定稿"
    )
    document = docx.Document(io.BytesIO(download_docx(client_for(chair), minutes)))

    def num_id(paragraph):
        return paragraph._p.pPr.numPr.numId.val

    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    agenda = [p for p in numbered if p.text.startswith("议题")]
    report = [p for p in numbered if p.text in ("控制预算", "月底前定稿")]
    assert len(agenda) == 3 and len(report) == 2
    assert len({num_id(p) for p in agenda}) == 1 and len({num_id(p) for p in report}) == 1
    assert num_id(agenda[0]) != num_id(report[0])
    numbering = document.part.numbering_part.element
    override = numbering.num_having_numId(num_id(report[0])).find(qn("w:lvlOverride"))
    assert override.find(qn("w:startOverride")).get(qn("w:val")) == "1"
    # The label leads its paragraph: "张伟(市场部经理):两点意见:"
    assert any(p.text == "张伟(市场部经理):两点意见:" for p in document.paragraphs)


@pytest.mark.django_db
def test_draft_docx_has_a_diagonal_watermark_behind_every_page(client_for, chair, minutes):  # noqa: F811
    document = docx.Document(io.BytesIO(download_docx(client_for(chair), minutes)))
    header = document.sections[0].header
    [(text, style)] = watermarks(header)
    assert text == "草稿"
    assert "rotation:315" in style and "position:absolute" in style
    shape = next(header._element.iter(f"{{{VML}}}shape"))
    assert shape.get("type") == "#_x0000_t136"
    assert shape.get("id").startswith("PowerPlusWaterMarkObject")
    assert shape.find(f"{{{VML}}}fill").get("opacity") == ".5"
    # The header text stays as it was.
    assert "市场部第12次周例会" in header.paragraphs[0].text and "草稿" in header.paragraphs[0].text


@pytest.mark.django_db
def test_english_draft_docx_watermark_reads_draft(client_for, chair, minutes):  # noqa: F811
    document = docx.Document(io.BytesIO(download_docx(english_client(client_for, chair), minutes)))
    assert [text for text, _style in watermarks(document.sections[0].header)] == ["DRAFT"]


@pytest.mark.django_db
def test_published_docx_has_no_watermark(client_for, chair, minutes):  # noqa: F811
    publish(minutes, chair)
    document = docx.Document(io.BytesIO(download_docx(client_for(chair), minutes)))
    header = document.sections[0].header
    assert watermarks(header) == []
    assert "草稿" not in header.paragraphs[0].text


def test_watermark_goes_into_the_first_page_header_too():
    document = docx.Document()
    document.sections[0].different_first_page_header_footer = True
    add_watermark(document, "草稿")
    reopened = docx.Document(io.BytesIO(save(document)))
    section = reopened.sections[0]
    assert [text for text, _style in watermarks(section.header)] == ["草稿"]
    assert [text for text, _style in watermarks(section.first_page_header)] == ["草稿"]


@pytest.mark.django_db
def test_english_docx_labels_use_an_ascii_colon_and_space(client_for, chair, minutes):  # noqa: F811
    data = download_docx(english_client(client_for, chair), minutes)
    assert "\uff1a" not in docx_text(data)
    document = docx.Document(io.BytesIO(data))
    labels = [p.text for p in document.paragraphs if p.text.startswith("Decision")]
    assert "Decision: Decision 1" in labels  # the decision
    assert any(text.startswith("Decision 1: ") for text in labels)  # the resolution itself
    for text in labels:
        assert ": " in text and "\uff1a" not in text
        assert text.split(":", 1)[1].startswith(" ")


@pytest.mark.django_db
def test_confidential_parts_are_tagged_in_red_for_a_reader_who_may_see_them(client_for, chair, minutes):  # noqa: F811
    item = minutes.agenda_items.order_by("order").first()
    item.is_confidential = True
    item.save()
    secret = services.decision_add(meeting=minutes, text="收购谈判底价不超过两亿元")
    secret.is_confidential = True
    secret.save()
    document = docx.Document(io.BytesIO(download_docx(client_for(chair), minutes)))

    def tagged(paragraph) -> bool:
        return any(
            run.text == "【机密】" and run.font.color.rgb == docx.shared.RGBColor(0xC0, 0, 0)
            for run in paragraph.runs
        )

    agenda = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert tagged(agenda[0]) and not tagged(agenda[1])
    headings = [p for p in document.paragraphs if p.style.name == "Heading 2" and p.text.startswith("1. ")]
    assert tagged(headings[0])
    decision = next(p for p in document.paragraphs if "收购谈判底价" in p.text)
    assert tagged(decision) and decision.text.startswith("决议四:【机密】")
    public = next(p for p in document.paragraphs if p.text.startswith("决议一:"))
    assert not tagged(public)
