import datetime

import pytest
from django.urls import reverse

from meetings.models import AgendaItem, Decision, Meeting
from tests.factories import AgendaItemFactory, MeetingFactory


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["meetings:list", "meetings:create", "actions:my", "home"])
def test_anonymous_visitor_is_redirected_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_anonymous_visitor_cannot_see_a_meeting(client, meeting):
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_meeting_list_is_paginated_and_chinese(client_for, owner, chair):
    for n in range(25):
        MeetingFactory(title=f"例会{n:02d}", chair=chair)
    response = client_for(owner).get(reverse("meetings:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 20
    assert "第 1 页 / 共 2 页" in response.text
    assert (
        client_for(owner).get(reverse("meetings:list") + "?page=2").context["page"].object_list.__len__() == 5
    )


@pytest.mark.django_db
def test_meeting_list_query_count_does_not_grow_with_rows(
    client_for, owner, chair, django_assert_max_num_queries
):
    client = client_for(owner)
    # Session, user, the user's and their groups' permissions (approval rights), departments headed,
    # the navigation's two lookups, the page count and the page.
    MeetingFactory.create_batch(3, chair=chair)
    with django_assert_max_num_queries(9):
        client.get(reverse("meetings:list"))
    MeetingFactory.create_batch(15, chair=chair)
    with django_assert_max_num_queries(9):
        client.get(reverse("meetings:list"))


@pytest.mark.django_db
def test_empty_meeting_list_invites_creating_one(client_for, owner):
    response = client_for(owner).get(reverse("meetings:list"))
    assert "还没有会议记录" in response.text


@pytest.mark.django_db
def test_create_meeting(client_for, owner, chair, department):
    response = client_for(owner).post(
        reverse("meetings:create"),
        {
            "title": "2026年3月市场部月度总结与计划会议",
            "kind": "monthly",
            "starts_at": "2026-03-10T14:00",
            "ends_at": "2026-03-10T18:00",
            "location": "3楼大会议室",
            "chair": chair.pk,
            "recorder": owner.pk,
            "department": department.pk,
            "background": "回顾2月工作",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.created_by == owner and meeting.chair == chair
    page = client_for(owner).get(meeting.get_absolute_url())
    assert "2026年3月10日 (周二) 14:00–18:00" in page.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "这个字段是必填项"),
        ({"starts_at": "2026-03-10T14:00", "ends_at": "2026-03-10T09:00"}, "结束时间不能早于开始时间"),
        ({"starts_at": "9999-01-01T10:00", "ends_at": ""}, "年份应在 2000 到 2100 之间"),
        ({"starts_at": "2026-03-10T14:00", "ends_at": "2026-05-10T09:00"}, "会议时长不能超过 14 天"),
        ({"background": "长" * 100_000}, "内容过长:最多 50000 字,当前 100000 字"),
    ],
)
def test_bad_meeting_input_shows_message_and_keeps_what_was_typed(client_for, owner, data, message):
    form = {
        "title": "战略研讨会",
        "kind": "strategy",
        "starts_at": "2026-03-10T14:00",
        "background": "保留我",
    }
    form.update(data)
    response = client_for(owner).post(reverse("meetings:create"), form)
    assert response.status_code == 200
    assert message in response.text
    assert not Meeting.objects.exists()
    if data.get("title", None) != "":
        assert 'value="战略研讨会"' in response.text


@pytest.mark.django_db
def test_out_of_range_years_are_refused_next_to_each_field(client_for, owner, monkeypatch):
    """Year 1 in Shanghai is year 0 in UTC. SQLite and MySQL convert to UTC when a value goes to the
    database (the start/end constraint check), which raised OverflowError: a 500. Do the same here,
    so the test fails the same way on PostgreSQL if such a value ever reaches the database."""
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value

    def adapt_in_utc(value):
        if value is not None and hasattr(value, "astimezone"):
            value.astimezone(datetime.UTC)
        return adapt(value)

    monkeypatch.setattr(connection.ops, "adapt_datetimefield_value", adapt_in_utc)
    form = {"title": "战略研讨会", "kind": "strategy", "location": "3楼", "background": "保留我"}
    form |= {"starts_at": "0001-01-01T00:00", "ends_at": "0001-01-01T10:00"}
    response = client_for(owner).post(reverse("meetings:create"), form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["starts_at"] == ["开始时间的年份应在 2000 到 2100 之间。"]
    assert errors["ends_at"] == ["结束时间的年份应在 2000 到 2100 之间。"]
    assert "__all__" not in errors
    assert 'id="error_1_id_starts_at"' in response.text and 'id="error_1_id_ends_at"' in response.text
    for typed in (
        'value="战略研讨会"',
        'value="3楼"',
        "保留我",
        'value="0001-01-01T00:00"',
        'value="0001-01-01T10:00"',
    ):
        assert typed in response.text
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_confidential_meeting_is_404_for_an_outsider(client_for, outsider, chair, department):
    secret = MeetingFactory(title="人事调整专题会", chair=chair, department=department, is_confidential=True)
    assert client_for(outsider).get(secret.get_absolute_url()).status_code == 404
    assert "人事调整专题会" not in client_for(outsider).get(reverse("meetings:list")).text
    assert client_for(outsider).get(reverse("reports:minutes_pdf", args=[secret.pk])).status_code == 404


@pytest.mark.django_db
def test_confidential_meeting_is_visible_to_its_department_head_not_its_members(
    client_for, owner, chair, department
):
    secret = MeetingFactory(title="人事调整专题会", department=department, is_confidential=True)
    assert client_for(chair).get(secret.get_absolute_url()).status_code == 200  # chair heads 市场部
    assert client_for(owner).get(secret.get_absolute_url()).status_code == 404  # a member, not invited


@pytest.mark.django_db
def test_outsider_may_read_an_open_meeting_but_not_edit_it(client_for, outsider, meeting):
    client = client_for(outsider)
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200
    assert 'id="agenda_form"' not in page.text
    response = client.post(reverse("meetings:agenda_add", args=[meeting.pk]), {"title": "插入议题", "day": 1})
    assert response.status_code == 404
    assert not AgendaItem.objects.exists()


@pytest.mark.django_db
def test_chair_adds_agenda_report_and_decision(client_for, chair, owner, meeting):
    client = client_for(chair)
    client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]),
        {"title": "上周工作回顾", "presenter": owner.pk, "planned_minutes": 15, "day": 1},
    )
    item = AgendaItem.objects.get()
    client.post(
        reverse("meetings:report_add", args=[meeting.pk]),
        {"agenda_item": item.pk, "speaker": owner.pk, "content": "线索有效率达到24%"},
    )
    response = client.post(
        reverse("meetings:decision_add", args=[meeting.pk]),
        {
            "agenda_item": item.pk,
            "problem": "渠道单一",
            "discussion": "讨论了直播",
            "text": "开展3场行业直播",
        },
    )
    assert response.status_code == 302
    page = client.get(meeting.get_absolute_url()).text
    assert "上周工作回顾" in page and "线索有效率达到24%" in page and "决议一" in page


@pytest.mark.django_db
def test_script_in_minutes_is_escaped(client_for, chair, meeting):
    item = AgendaItemFactory(meeting=meeting)
    client = client_for(chair)
    client.post(
        reverse("meetings:report_add", args=[meeting.pk]),
        {"agenda_item": item.pk, "speaker_name": "外部专家", "content": "<script>alert(1)</script>"},
    )
    page = client.get(meeting.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_invalid_decision_keeps_text_and_opens_its_form(client_for, chair, meeting):
    response = client_for(chair).post(
        reverse("meetings:decision_add", args=[meeting.pk]),
        {"problem": "客户投诉增多", "discussion": "需要我保留", "text": ""},
    )
    assert response.status_code == 400
    assert "需要我保留" in response.text
    assert '<details class="mt-2 border-top pt-2" id="decision_form" open>' in response.text
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_agenda_item_of_another_meeting_is_rejected(client_for, chair, meeting):
    foreign = AgendaItemFactory(meeting=MeetingFactory())
    response = client_for(chair).post(
        reverse("meetings:report_add", args=[meeting.pk]),
        {"agenda_item": foreign.pk, "speaker_name": "某人", "content": "内容"},
    )
    assert response.status_code == 400
    assert not foreign.reports.exists()


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _fill(meeting, owner, n):
    from tests.factories import make_action

    for i in range(n):
        item = AgendaItemFactory(meeting=meeting)
        item.reports.create(speaker_name=f"发言人{i}", content="内容")
        decision = Decision.objects.create(meeting=meeting, number=meeting.decisions.count() + 1, text="决定")
        action = make_action(
            lead=owner, supports=[meeting.chair], meeting=meeting, due_date=datetime.date(2030, 1, 1)
        )
        action.decisions.add(decision)


@pytest.mark.django_db
def test_meeting_page_query_count_does_not_grow_with_content(client_for, chair, owner, meeting):
    client = client_for(chair)
    _fill(meeting, owner, 1)
    small = _count_queries(client, meeting.get_absolute_url())
    _fill(meeting, owner, 6)
    assert _count_queries(client, meeting.get_absolute_url()) == small
    assert small <= 30  # includes the lifecycle panel: comments, latest version, last 退回 comment


@pytest.mark.django_db
def test_meeting_page_renders_minutes_markdown_as_the_print_view_does(client_for, chair, meeting):
    from meetings.models import SpeakerReport

    md = "要点:\n- **签约** 3 家\n- 回款<script>x</script>"
    meeting.background = "背景 " + md
    meeting.summary = "总结 " + md
    meeting.save()
    item = AgendaItemFactory(meeting=meeting, title="市场推广")
    SpeakerReport.objects.create(agenda_item=item, speaker=chair, content="汇报 " + md)
    Decision.objects.create(
        meeting=meeting, number=1, problem="问题 " + md, discussion="讨论 " + md, text="决定 " + md
    )
    page = client_for(chair).get(meeting.get_absolute_url()).text
    assert "**" not in page and "- 回款" not in page
    assert (
        page.count("<strong>签约</strong> 3 家</li>") == 6
    )  # background, report, problem, discussion, text, summary
    assert page.count("<li>回款&lt;script&gt;x&lt;/script&gt;</li>") == 6
    assert "<script>x</script>" not in page
