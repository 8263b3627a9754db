import datetime
import logging

import pytest
from django.urls import reverse

from meetings import services
from tests.factories import make_action
from tests.reports.pdf_tools import cell_texts, pdf_chars, pdf_fonts, pdf_text


@pytest.fixture
def full_meeting(meeting, owner, chair):
    item = services.agenda_item_add(
        meeting=meeting, title="上半年市场推广回顾", presenter=owner, planned_minutes=20
    )
    services.speaker_report_add(agenda_item=item, speaker=owner, content="全网累计曝光量超过500万次")
    decision = services.decision_add(
        meeting=meeting, problem="线索转化率偏低", discussion="讨论营销自动化", text="上线营销自动化工具"
    )
    titles = ["完成营销自动化系统选型", "输出竞品动态简报", "策划华东区域技术交流会"]
    for n, title in enumerate(titles):
        action = make_action(
            lead=owner, supports=[chair], meeting=meeting, title=title, due_date=datetime.date(2030, 4, n + 1)
        )
        action.decisions.add(decision)
    return meeting


def download(client, meeting):
    response = client.get(reverse("reports:minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


@pytest.mark.django_db
def test_pdf_contains_the_meeting_and_every_action_in_chinese(client_for, chair, full_meeting):
    data = download(client_for(chair), full_meeting)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "市场部第12次周例会" in text
    assert "会议纪要" in text
    cells = cell_texts(data)
    for title in ["完成营销自动化系统选型", "输出竞品动态简报", "策划华东区域技术交流会"]:
        assert any(cell.startswith(title) for cell in cells), title
    assert "决议一" in text and "上线营销自动化工具" in text
    assert "第 1 页 / 共" in text


@pytest.mark.django_db
def test_pdf_embeds_a_noto_cjk_font(client_for, chair, full_meeting):
    fonts = pdf_fonts(download(client_for(chair), full_meeting))
    names = {f.split("+", 1)[-1].replace("-", "") for f in fonts}
    assert any(name.startswith(("NotoSansCJK", "NotoSerifCJK")) for name in names), fonts


@pytest.mark.django_db
def test_pdf_has_no_missing_glyphs(client_for, chair, full_meeting, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        download(client_for(chair), full_meeting)
    assert not [r for r in caplog.records if "glyph" in r.getMessage().lower()]


@pytest.mark.django_db
def test_local_files_named_in_minutes_do_not_reach_the_pdf(client_for, chair, meeting, tmp_path, caplog):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    item = services.agenda_item_add(meeting=meeting, title="议题")
    services.speaker_report_add(
        agenda_item=item,
        speaker_name="外部",
        content=f'<img src="file:///etc/passwd"><img src="file://{secret}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    )
    meeting.background = '<iframe src="file:///etc/passwd"></iframe>'
    meeting.save()
    data = download(client_for(chair), meeting)
    text = pdf_text(data)
    assert "root:" not in text and "TOP-SECRET-TOKEN" not in text
    assert b"TOP-SECRET-TOKEN" not in data
    # The markup is shown as text, escaped, rather than interpreted.
    assert "<img" in text


def test_url_fetcher_refuses_anything_outside_the_static_folder(tmp_path, settings):
    from reports.pdf import StaticOnlyURLFetcher

    fetcher = StaticOnlyURLFetcher()
    for url in [
        "file:///etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.com/a.png",
        f"file://{settings.STATICFILES_DIRS[0]}/../config/settings.py",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    css = settings.STATICFILES_DIRS[0] / "css" / "app.css"
    response = fetcher.fetch(css.as_uri())
    assert b"font-family" in (response.body if hasattr(response, "body") else response.read())


@pytest.mark.django_db
def test_draft_pdf_carries_a_watermark(client_for, chair, full_meeting):
    assert "草稿" in pdf_chars(download(client_for(chair), full_meeting))


@pytest.mark.django_db
def test_published_pdf_has_no_watermark(client_for, chair, full_meeting):
    full_meeting.status = full_meeting.Status.PUBLISHED
    full_meeting.save()
    assert "草稿" not in pdf_chars(download(client_for(chair), full_meeting))


@pytest.mark.django_db
def test_sections_are_numbered_in_chinese(client_for, chair, full_meeting):
    text = pdf_text(download(client_for(chair), full_meeting))
    for heading in ["一、会议议程", "二、议题汇报", "三、问题与讨论", "四、会议决议", "五、行动项"]:
        assert heading in text


@pytest.mark.django_db
def test_print_view_uses_the_same_template(client_for, chair, full_meeting):
    response = client_for(chair).get(reverse("reports:minutes_print", args=[full_meeting.pk]))
    assert response.status_code == 200
    assert '《<span class="short-title">市场部第12次周例会</span>》会议纪要' in response.text
    # The 打印 button, wired by a static script (the Content Security Policy allows no inline script).
    assert "data-print" in response.text and "js/minutes_print.js" in response.text
