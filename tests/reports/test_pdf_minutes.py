"""The minutes PDF as a manager receives it: complete, paged, readable, per reader, and stable once
published."""

import datetime
import hashlib
import json
import logging
import zoneinfo

import pytest
from django.urls import reverse
from PIL import Image, ImageOps

from actions.models import Status
from meetings import services
from meetings.document import minutes_document
from meetings.models import AgendaItem, Attendance, Meeting, MeetingSeries, MeetingVersion
from reports import jobs
from reports.minutes import minutes_pdf, publication_of
from reports.models import PublishedMinutes, RenderJob
from tests.factories import MeetingFactory, UserFactory, make_action
from tests.reports.pdf_tools import (
    artifact_dir,
    cell_texts,
    docx_text,
    flat,
    page_count,
    page_texts,
    pdf_chars,
    pdf_text,
    render_pages,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

DECISIONS = [
    ("线索转化率偏低", "讨论营销自动化工具", "上线营销自动化工具,6月底前完成选型"),
    ("展会预算超支", "讨论压缩方案", "展会预算控制在30万元以内"),
    ("竞品动态掌握不及时", "", "每周输出竞品动态简报"),
]
ACTIONS = [
    "完成营销自动化系统选型",
    "输出竞品动态简报",
    "策划华东区域技术交流会",
    "整理展会潜在客户线索并移交销售部门",
    "官网落地页SEO优化",
    "按新版VI制作展会宣传册与产品手册",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ORGANISATION_NAME = "示例科技有限公司"


@pytest.fixture
def minutes(meeting, owner, chair, outsider):
    meeting.starts_at = datetime.datetime(2026, 3, 10, 14, tzinfo=SHANGHAI)
    meeting.ends_at = datetime.datetime(2026, 3, 10, 18, tzinfo=SHANGHAI)
    meeting.background = "回顾上半年市场推广工作,部署下半年重点任务。"
    meeting.summary = "下半年以渠道优化和线索转化为重点。"
    meeting.save()
    Attendance.objects.create(meeting=meeting, user=owner)
    Attendance.objects.create(
        meeting=meeting, user=UserFactory(name="钱七"), status=Attendance.Status.ABSENT, note="出差在外"
    )
    Attendance.objects.create(
        meeting=meeting, guest_name="刘博士", guest_organisation="咨询公司", role=Attendance.Role.GUEST
    )
    for n in range(3):
        item = services.agenda_item_add(meeting=meeting, title=f"议题{n + 1}:市场推广回顾", presenter=owner)
        services.speaker_report_add(
            agenda_item=item,
            speaker=owner,
            content="要点:\n- 全网累计曝光量超过500万次\n- **线索有效率**达到24%",
        )
    decisions = [
        services.decision_add(meeting=meeting, problem=p, discussion=d, text=t) for p, d, t in DECISIONS
    ]
    for n, title in enumerate(ACTIONS):
        action = make_action(
            lead=owner,
            supports=[chair],
            meeting=meeting,
            title=title,
            due_date=datetime.date(2030, 4, n + 1),
            deadline_text="两周内",
        )
        action.decisions.add(decisions[n % len(decisions)])
    return meeting


def download(client, meeting, kind="minutes_pdf"):
    response = client.get(reverse(f"reports:{kind}", args=[meeting.pk]))
    assert response.status_code == 200, response.status_code
    return response.content


def publish(meeting, by) -> MeetingVersion:
    """What publication stores: the document as a snapshot, with the hash of its canonical JSON."""
    content = minutes_document(meeting)
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    return MeetingVersion.objects.create(
        meeting=meeting,
        number=meeting.versions.count() + 1,
        content=content,
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        published_by=by,
        published_at=datetime.datetime(2026, 3, 12, 9, 30, tzinfo=SHANGHAI),
    )


@pytest.mark.django_db
def test_pdf_holds_every_decision_and_action_with_owners_and_deadlines(client_for, chair, minutes):
    data = download(client_for(chair), minutes)
    assert data.startswith(b"%PDF-")
    text, cells = flat(pdf_text(data)), cell_texts(data)
    assert "示例科技有限公司" in text and "《市场部第12次周例会》会议纪要" in text
    assert "2026年3月10日(周二)14:00–18:00" in text
    assert "钱七(缺席:出差在外)" in text and "刘博士(咨询公司)" in text
    for problem, _discussion, decision in DECISIONS:
        assert problem in text and decision in text
    assert "决议一" in text and "决议三" in text
    for title in ACTIONS:
        assert any(cell.startswith(title) for cell in cells), title
    assert "2030年4月1日" in cells  # the date the wording 两周内 was planned to
    assert "王芳" in cells and "张伟" in cells
    # Plausible length: three agenda items, three decisions and six actions fill a few pages, not dozens.
    pages = page_count(data)
    assert 2 <= pages <= 5
    texts = page_texts(data)
    assert f"第 1 页 / 共 {pages} 页" in texts[0]
    assert f"第 {pages} 页 / 共 {pages} 页" in texts[-1]
    # The running header with the short title appears from page 2 on.
    assert "市场部第12次周例会" in texts[1].splitlines()[0]


@pytest.mark.django_db
def test_speaker_reports_render_their_markdown(client_for, chair, minutes):
    text = pdf_text(download(client_for(chair), minutes))
    assert "**" not in text and "全网累计曝光量超过500万次" in text
    html = client_for(chair).get(reverse("reports:minutes_print", args=[minutes.pk])).text
    assert "<li>全网累计曝光量超过500万次</li>" in html and "<strong>线索有效率</strong>" in html


@pytest.mark.django_db
def test_page_one_renders_with_ink_in_the_header(client_for, chair, minutes, tmp_path):
    data = download(client_for(chair), minutes)
    [png] = render_pages(data, artifact_dir(tmp_path), "minutes-page")
    image = ImageOps.grayscale(Image.open(png))
    width, height = image.size
    assert height > width  # portrait A4

    def ink(box) -> int:
        region = image.crop(box)
        return sum(1 for value in region.get_flattened_data() if value < 128)

    assert ink((0, 0, width, height)) > 5000, "page 1 is blank"
    # The top fifth holds the organisation name and the title.
    assert ink((0, 0, width, height // 5)) > 1000


@pytest.mark.django_db
def test_confidential_parts_are_left_out_for_an_action_owner(client_for, chair, outsider, minutes):
    secret = services.decision_add(meeting=minutes, text="机密决议:收购竞争对手的谈判底价为两亿元")
    secret.is_confidential = True
    secret.save()
    hidden = make_action(lead=outsider, meeting=minutes, title="准备收购尽职调查材料")
    hidden.decisions.add(secret)
    make_action(lead=outsider, meeting=minutes, title="赵磊负责的公开事项")

    full = flat(pdf_text(download(client_for(chair), minutes)))
    assert "收购竞争对手的谈判底价" in full and "准备收购尽职调查材料" in full

    restricted = download(client_for(outsider), minutes)
    text = flat(pdf_text(restricted))
    assert "赵磊负责的公开事项" in text
    assert "收购竞争对手" not in text and "准备收购尽职调查材料" not in text
    docx = download(client_for(outsider), minutes, "minutes_docx")
    assert "收购竞争对手" not in docx_text(docx)


@pytest.mark.django_db
def test_someone_who_may_not_see_the_meeting_gets_404(client_for, minutes):
    minutes.visibility = Meeting.Visibility.PARTICIPANTS
    minutes.save()
    stranger = UserFactory(name="孙八")
    for kind in ("minutes_pdf", "minutes_docx", "minutes_print"):
        response = client_for(stranger).get(reverse(f"reports:{kind}", args=[minutes.pk]))
        assert response.status_code == 404


@pytest.mark.django_db
def test_published_minutes_render_once_and_are_served_from_storage(client_for, chair, minutes):
    version = publish(minutes, chair)
    first = download(client_for(chair), minutes)
    stored = PublishedMinutes.objects.get(version=version)
    assert stored.sha256 == hashlib.sha256(first).hexdigest() and stored.size == len(first)
    # The live meeting changes after publication; the published file does not.
    minutes.decisions.filter(number=1).update(text="发布后被改动的决议")
    assert download(client_for(chair), minutes) == first
    assert PublishedMinutes.objects.count() == 1
    text = flat(pdf_text(first))
    assert "签发人张伟(市场部经理)" in text and "v1" in text and "2026年3月12日" in text
    assert "发布后被改动的决议" not in text
    assert "草稿" not in pdf_chars(first)


@pytest.mark.django_db
def test_rendering_a_snapshot_is_deterministic(chair, minutes):
    version = publish(minutes, chair)
    one = minutes_pdf(version.content, publication=publication_of(version), is_draft=False)
    two = minutes_pdf(version.content, publication=publication_of(version), is_draft=False)
    assert hashlib.sha256(one).hexdigest() == hashlib.sha256(two).hexdigest()


@pytest.mark.django_db
def test_a_reader_without_full_access_gets_a_fresh_render_not_the_stored_file(
    client_for, chair, outsider, minutes
):
    secret = services.decision_add(meeting=minutes, text="机密决议内容")
    secret.is_confidential = True
    secret.save()
    make_action(lead=outsider, meeting=minutes, title="赵磊的事项")
    publish(minutes, chair)
    restricted = download(client_for(outsider), minutes)
    assert PublishedMinutes.objects.count() == 0
    assert "机密决议内容" not in flat(pdf_text(restricted))
    assert "签发人" in flat(pdf_text(restricted))


@pytest.mark.django_db
def test_next_meeting_of_a_series_reports_on_the_last_meetings_actions(client_for, chair, owner):
    series = MeetingSeries.objects.create(
        title="市场部周例会", document_number_pattern="〔{year}〕第{number}号"
    )
    start = datetime.datetime(2026, 3, 3, 9, tzinfo=SHANGHAI)
    first = MeetingFactory(series=series, title="周例会(3月3日)", starts_at=start, chair=chair)
    second = MeetingFactory(
        series=series, title="周例会(3月10日)", starts_at=start + datetime.timedelta(days=7), chair=chair
    )
    make_action(lead=owner, meeting=first, title="提交渠道优化方案", status=Status.IN_PROGRESS, progress=85)
    second.agenda_items.create(title="上次会议行动项回顾", kind=AgendaItem.Kind.REVIEW, order=1)
    data = download(client_for(chair), second)
    text, cells = flat(pdf_text(data)), cell_texts(data)
    assert "〔2026〕第2号" in text
    assert "上次会议行动项落实情况" in text
    assert "提交渠道优化方案" in cells and "进行中85%" in cells
    # The review item points to that section rather than saying it has nothing.
    assert "见“上次会议行动项落实情况”。" in text and "暂无汇报要点" not in text


@pytest.mark.django_db
def test_a_meeting_without_any_items_is_still_a_tidy_pdf(client_for, chair, meeting):
    data = download(client_for(chair), meeting)
    assert page_count(data) == 1
    text = flat(pdf_text(data))
    assert "本次会议未形成行动项。" in text and "第1页/共1页" in text


@pytest.mark.django_db
def test_english_reader_gets_english_labels(client_for, chair, minutes):
    chair.language = "en"
    chair.save()
    client = client_for(chair)
    response = client.get(reverse("reports:minutes_pdf", args=[minutes.pk]), HTTP_ACCEPT_LANGUAGE="en")
    texts = page_texts(response.content)
    assert "Page 1 of" in texts[0]
    assert "Minutes" in texts[0]
    assert "DRAFT" in pdf_chars(response.content)


@pytest.mark.django_db
def test_markup_and_file_links_in_any_text_stay_harmless(client_for, chair, minutes, tmp_path, caplog):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    minutes.title = '周例会<script>alert("x")</script>'
    minutes.summary = f'<img src="file://{secret}"> <link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
    minutes.save()
    minutes.decisions.filter(number=1).update(text=f"![秘密](file://{secret})")
    make_action(lead=chair, meeting=minutes, title=f'<img src="file://{secret}">')
    data = download(client_for(chair), minutes)
    assert b"TOP-SECRET-TOKEN" not in data
    text = pdf_text(data)
    assert '<script>alert("x")</script>' in text and "<img" in text
    html = client_for(chair).get(reverse("reports:minutes_print", args=[minutes.pk])).text
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "<link" not in html.split("</head>")[1]


@pytest.mark.django_db
def test_rare_characters_render_or_are_logged(client_for, chair, minutes, caplog):
    minutes.summary = "生僻字:𠀀 𪚥;表情:😀"
    minutes.save()
    with caplog.at_level(logging.WARNING, logger="reports.glyphs"):
        data = download(client_for(chair), minutes)
    assert data.startswith(b"%PDF")
    warnings = [r.getMessage() for r in caplog.records if r.name == "reports.glyphs"]
    assert len(warnings) == 1
    for char in "𠀀𪚥😀":
        assert char in warnings[0]
    # Characters no font has are set as 〓, the typesetter's mark for a missing character; the rest of
    # the text stays selectable and searchable.
    text = flat(pdf_text(data))
    assert "生僻字:〓〓;表情:〓" in text and "会议背景与目的" in text


@pytest.mark.django_db
def test_a_very_long_speaker_report_paginates(client_for, chair, minutes):
    item = minutes.agenda_items.first()
    paragraph = "本季度渠道优化工作取得阶段性进展,线索有效率稳步提升,但转化周期仍然偏长。" * 20
    content = "\n\n".join(paragraph for _ in range(int(200_000 / len(paragraph.encode()))))
    assert len(content.encode()) > 190_000
    services.speaker_report_add(agenda_item=item, speaker=chair, content=content)
    # Far over MINUTES_BACKGROUND_PAGES: the link opens the background render's page.
    client = client_for(chair)
    job = client.get(reverse("reports:minutes_pdf", args=[minutes.pk])).context["job"]
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.DONE
    response = client.get(reverse("reports:job_download", args=[job.pk, "pdf"]))
    data = b"".join(response.streaming_content)
    pages = page_count(data)
    assert pages > 40
    assert f"第 {pages} 页 / 共 {pages} 页" in page_texts(data)[-1]
    # The action table still closes the document.
    assert "官网落地页SEO优化" in flat(pdf_text(data))


@pytest.mark.django_db
def test_an_earlier_version_stays_downloadable_after_a_new_one(client_for, chair, minutes):
    publish(minutes, chair)
    minutes.status = Meeting.Status.IN_PROGRESS
    minutes.save()
    minutes.decisions.filter(number=1).update(text="第二版修订后的决议")
    publish(minutes, chair)
    client = client_for(chair)
    first = flat(pdf_text(client.get(reverse("reports:minutes_version_pdf", args=[minutes.pk, 1])).content))
    second = flat(pdf_text(client.get(reverse("reports:minutes_version_pdf", args=[minutes.pk, 2])).content))
    assert DECISIONS[0][2] in first and "第二版修订后的决议" not in first and "v1" in first
    assert "第二版修订后的决议" in second and "v2" in second
    assert client.get(reverse("reports:minutes_version_pdf", args=[minutes.pk, 3])).status_code == 404


@pytest.mark.django_db
def test_a_confidential_meeting_is_marked_on_every_page(client_for, chair, minutes):
    minutes.is_confidential = True
    minutes.save()
    texts = page_texts(download(client_for(chair), minutes))
    assert texts[0].startswith("密级:机密")
    for text in texts[1:]:
        assert text.splitlines()[0].endswith("密级:机密")
