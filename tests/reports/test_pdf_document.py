"""The minutes as data: complete, JSON-serialisable, and filtered per reader."""

import datetime
import json
import zoneinfo

import pytest

from actions.models import ProgressEntry, Status
from meetings import services
from meetings.document import document_for_reader, minutes_document
from meetings.models import Attendance, MeetingSeries
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action


@pytest.fixture
def rich_meeting(meeting, owner, chair, outsider):
    meeting.background = "回顾上半年工作"
    meeting.summary = "下半年重点是渠道优化"
    meeting.save()
    Attendance.objects.create(meeting=meeting, user=owner)
    Attendance.objects.create(meeting=meeting, user=outsider)
    Attendance.objects.create(
        meeting=meeting, user=UserFactory(name="钱七"), status=Attendance.Status.EXCUSED, note="出差"
    )
    Attendance.objects.create(
        meeting=meeting, guest_name="刘博士", guest_organisation="咨询公司", role=Attendance.Role.GUEST
    )
    item = services.agenda_item_add(meeting=meeting, title="市场推广回顾", presenter=owner)
    services.speaker_report_add(agenda_item=item, speaker=owner, content="曝光量超过500万次")
    decision = services.decision_add(
        meeting=meeting, problem="转化率低", discussion="讨论", text="上线自动化工具"
    )
    action = make_action(
        lead=owner,
        supports=[chair],
        meeting=meeting,
        title="完成系统选型",
        due_date=datetime.date(2030, 4, 1),
    )
    action.decisions.add(decision)
    return meeting


@pytest.mark.django_db
def test_document_holds_the_full_minutes_and_is_json(rich_meeting):
    document = minutes_document(rich_meeting)
    assert json.loads(json.dumps(document)) == document
    assert document["meeting"]["title"] == "市场部第12次周例会"
    assert document["meeting"]["background"] == "回顾上半年工作"
    assert document["chair"]["display"] == "张伟(市场部经理)"
    groups = document["attendance"]["present"]
    assert {g["department"] for g in groups} == {"市场部", "研发一部"}
    assert document["attendance"]["absent"] == [
        {"name": "钱七", "role": "participant", "status": "excused", "note": "出差"}
    ]
    assert [g["name"] for g in document["attendance"]["guests"]] == ["刘博士(咨询公司)"]
    assert document["agenda"][0]["presenter"]["name"] == "王芳"
    assert document["agenda"][0]["reports"] == [{"speaker": "王芳(市场专员)", "content": "曝光量超过500万次"}]
    assert document["decisions"][0]["text"] == "上线自动化工具"
    action = document["actions"][0]
    assert action["leads"] == ["王芳"] and action["supports"] == ["张伟"]
    assert action["due_date"] == "2030-04-01" and action["decision_numbers"] == [1]
    assert document["previous_actions"] is None


@pytest.mark.django_db
def test_next_meeting_of_a_series_lists_the_previous_actions_with_progress(chair, owner, department):
    series = MeetingSeries.objects.create(
        title="市场部周例会", document_number_pattern="〔{year}〕第{number}号"
    )
    start = datetime.datetime(2026, 3, 3, 14, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    first = MeetingFactory(series=series, title="第1次", starts_at=start, chair=chair)
    second = MeetingFactory(series=series, title="第2次", starts_at=start + datetime.timedelta(days=7))
    action = make_action(
        lead=owner, meeting=first, title="输出竞品简报", status=Status.IN_PROGRESS, progress=85
    )
    ProgressEntry.objects.create(action=action, author=owner, note="进度达到85%")

    document = minutes_document(second)
    previous = document["previous_actions"]
    assert previous["meeting"]["title"] == "第1次"
    assert previous["actions"][0]["title"] == "输出竞品简报"
    assert previous["actions"][0]["progress"] == 85
    assert previous["actions"][0]["latest_note"] == "进度达到85%"
    assert document["meeting"]["document_number"] == "〔2026〕第2号"
    assert minutes_document(first)["meeting"]["document_number"] == "〔2026〕第1号"


@pytest.mark.django_db
def test_a_reader_without_access_gets_no_confidential_parts(rich_meeting):
    document = minutes_document(rich_meeting)
    # Flag parts the way the stored model flags do; readers see the same filtering either way.
    document["decisions"][0]["confidential"] = True
    document["actions"][0]["confidential"] = True
    restricted = document_for_reader(document, can_see_confidential=False)
    assert restricted["decisions"] == [] and restricted["actions"] == []
    assert restricted["agenda"] == document["agenda"]
    assert document_for_reader(document, can_see_confidential=True) is document
    # The full document is left untouched.
    assert document["decisions"][0]["text"] == "上线自动化工具"


@pytest.mark.django_db
def test_document_is_built_in_a_fixed_number_of_queries(rich_meeting, owner, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        minutes_document(rich_meeting)
    department = DepartmentFactory(name="财务部")
    for n in range(20):
        user = UserFactory(department=department)
        Attendance.objects.create(meeting=rich_meeting, user=user)
        item = services.agenda_item_add(meeting=rich_meeting, title=f"议题{n}", presenter=user)
        services.speaker_report_add(agenda_item=item, speaker=user, content="汇报")
        make_action(lead=user, supports=[owner], meeting=rich_meeting)
    with django_assert_max_num_queries(14):
        minutes_document(rich_meeting)


@pytest.mark.django_db
def test_print_view_cost_does_not_grow_with_the_meeting(
    client_for, chair, owner, rich_meeting, django_assert_max_num_queries
):
    from django.urls import reverse

    client = client_for(chair)
    url = reverse("reports:minutes_print", args=[rich_meeting.pk])
    with django_assert_max_num_queries(18):
        assert client.get(url).status_code == 200
    for n in range(15):
        user = UserFactory(department=DepartmentFactory(name=f"部门{n}"))
        Attendance.objects.create(meeting=rich_meeting, user=user)
        item = services.agenda_item_add(meeting=rich_meeting, title=f"议题{n}", presenter=user)
        services.speaker_report_add(agenda_item=item, speaker=user, content="汇报")
        decision = services.decision_add(meeting=rich_meeting, text=f"决定{n}")
        make_action(lead=user, supports=[owner], meeting=rich_meeting).decisions.add(decision)
    with django_assert_max_num_queries(18):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_items_of_a_confidential_previous_meeting_count_as_confidential(chair, owner):
    series = MeetingSeries.objects.create(title="经营例会")
    start = datetime.datetime(2026, 3, 3, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    first = MeetingFactory(series=series, starts_at=start, is_confidential=True)
    second = MeetingFactory(series=series, starts_at=start + datetime.timedelta(days=7))
    make_action(lead=owner, meeting=first, title="并购方案测算")
    document = minutes_document(second)
    assert document["previous_actions"]["actions"][0]["confidential"] is True
    restricted = document_for_reader(document, can_see_confidential=False)
    assert restricted["previous_actions"]["actions"] == []


@pytest.mark.django_db
def test_latest_progress_is_what_people_wrote_not_the_creation_line(chair, owner, meeting):
    from actions.models import ActionOwner
    from actions.services import action_create

    action = action_create(
        title="输出竞品简报", owners=[(owner, ActionOwner.Role.LEAD)], by=chair, meeting=meeting
    )
    assert action.progress_entries.get().note  # the item's log starts with "创建行动项"
    assert minutes_document(meeting)["actions"][0]["latest_note"] == ""
    ProgressEntry.objects.create(action=action, author=owner, note="已完成初稿")
    assert minutes_document(meeting)["actions"][0]["latest_note"] == "已完成初稿"
