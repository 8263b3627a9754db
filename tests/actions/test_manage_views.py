"""部门行动项 and 全部行动项: who sees which items, the filters, sorting and paging."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actions.models import ActionOwner, DeadlineChange, Priority, ProgressEntry, Status
from meetings.models import MeetingSeries
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
TODAY = NOW.date()
DEPARTMENT_URL = reverse("actions:department")
ALL_URL = reverse("actions:all")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def east(department):
    """华东区, below 市场部 (whose head is the `chair` fixture)."""
    return DepartmentFactory(name="华东区", parent=department)


@pytest.fixture
def liuyang(east):
    return UserFactory(username="liuyang", name="刘洋", department=east)


@pytest.fixture
def staff(db):
    return UserFactory(username="admin", name="管理员", is_staff=True)


def titles(response) -> list[str]:
    return [action.title for action in response.context["page"].object_list]


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


# --- Scope -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_head_sees_department_and_sub_department_items_but_not_siblings(
    client_for, chair, owner, liuyang, east, outsider, other_department
):
    make_action(lead=owner, title="市场部个人事项")
    make_action(lead=liuyang, title="华东区个人事项")
    make_action(lead_department=east, title="华东区部门事项")
    make_action(lead=outsider, title="研发部事项")
    make_action(lead_department=other_department, title="研发部部门事项")

    response = client_for(chair).get(DEPARTMENT_URL)
    assert response.status_code == 200
    assert sorted(titles(response)) == sorted(["市场部个人事项", "华东区个人事项", "华东区部门事项"])
    assert "研发部事项" not in response.text


@pytest.mark.django_db
def test_item_supported_by_a_department_member_is_in_scope(client_for, chair, owner, outsider):
    make_action(lead=outsider, supports=[owner], title="跨部门协作")
    assert titles(client_for(chair).get(DEPARTMENT_URL)) == ["跨部门协作"]


@pytest.mark.django_db
def test_item_with_two_owners_in_scope_is_listed_once(client_for, chair, owner, department):
    make_action(lead=owner, lead_department=department, title="共同牵头")
    assert titles(client_for(chair).get(DEPARTMENT_URL)) == ["共同牵头"]


@pytest.mark.django_db
def test_head_can_narrow_to_one_sub_department(client_for, chair, owner, liuyang, east):
    make_action(lead=owner, title="市场部个人事项")
    make_action(lead=liuyang, title="华东区个人事项")
    response = client_for(chair).get(DEPARTMENT_URL, {"department": east.pk})
    assert titles(response) == ["华东区个人事项"]
    assert "华东区" in response.text


@pytest.mark.django_db
def test_head_cannot_pick_a_department_they_do_not_head(client_for, chair, other_department):
    response = client_for(chair).get(DEPARTMENT_URL, {"department": other_department.pk})
    assert response.status_code == 404


@pytest.mark.django_db
def test_non_head_is_refused_with_a_message(client_for, owner):
    response = client_for(owner).get(DEPARTMENT_URL)
    assert response.status_code == 403
    assert "只有部门负责人可以查看部门行动项" in response.text


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(DEPARTMENT_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_staff_sees_every_item(client_for, staff, owner, outsider):
    make_action(lead=owner, title="市场部事项")
    make_action(lead=outsider, title="研发部事项")
    make_action(title="无人负责的事项")
    assert sorted(titles(client_for(staff).get(ALL_URL))) == sorted(
        ["市场部事项", "研发部事项", "无人负责的事项"]
    )


@pytest.mark.django_db
def test_head_who_is_not_staff_cannot_open_the_organisation_view(client_for, chair):
    response = client_for(chair).get(ALL_URL)
    assert response.status_code == 403
    assert "只有管理员可以查看全部行动项" in response.text


@pytest.mark.django_db
def test_nav_shows_manager_links_only_to_those_who_may_use_them(client_for, chair, owner, staff):
    my_url = reverse("actions:my")
    chair_page = client_for(chair).get(my_url).text
    assert "部门行动项" in chair_page and "全部行动项" not in chair_page
    owner_page = client_for(owner).get(my_url).text
    assert "部门行动项" not in owner_page and "全部行动项" not in owner_page
    assert "全部行动项" in client_for(staff).get(my_url).text


# --- Rows --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_row_shows_meeting_owners_due_phrase_and_counters(client_for, chair, owner, liuyang, meeting):
    action = make_action(
        lead=owner, supports=[liuyang], meeting=meeting, title="提交渠道方案", due_date=day(-3)
    )
    for n in range(2):
        DeadlineChange.objects.create(
            action=action,
            new_due_date=day(n),
            reason="客户推迟",
            state=DeadlineChange.State.APPROVED,
        )
    DeadlineChange.objects.create(action=action, new_due_date=day(9), reason="再等等")  # pending
    ProgressEntry.objects.create(action=action, changes={"owners": [["甲"], ["乙"]]})
    ProgressEntry.objects.create(action=action, changes={"progress": [0, 20]})

    response = client_for(chair).get(DEPARTMENT_URL)
    row = response.context["page"].object_list[0]
    assert (row.postponement_count, row.reassignment_count) == (2, 1)
    text = response.text
    assert "市场部第12次周例会" in text
    assert "牵头:王芳" in text and "配合:刘洋" in text
    assert "逾期3天" in text
    assert "延期 2 次" in text and "转办 1 次" in text


@pytest.mark.django_db
def test_top_postponers_ranks_lead_owners_by_approved_postponements(client_for, chair, owner, liuyang):
    for user, count in ((owner, 1), (liuyang, 3)):
        action = make_action(lead=user)
        for n in range(count):
            DeadlineChange.objects.create(
                action=action, new_due_date=day(n + 1), reason="等待", state=DeadlineChange.State.APPROVED
            )
    DeadlineChange.objects.create(
        action=make_action(lead=chair), new_due_date=day(3), reason="驳回", state="rejected"
    )
    response = client_for(chair).get(DEPARTMENT_URL)
    assert response.context["postponers"] == [
        {"name": "刘洋", "postponements": 3},
        {"name": "王芳", "postponements": 1},
    ]


@pytest.mark.django_db
def test_title_is_escaped(client_for, chair, owner):
    make_action(lead=owner, title="<script>alert(1)</script>")
    text = client_for(chair).get(DEPARTMENT_URL).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


# --- Filters -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_status_filter_takes_several_values(client_for, chair, owner):
    make_action(lead=owner, title="未开始", status=Status.NOT_STARTED)
    make_action(lead=owner, title="进行中", status=Status.IN_PROGRESS)
    make_action(lead=owner, title="已完成", status=Status.DONE)
    response = client_for(chair).get(DEPARTMENT_URL, {"status": ["not_started", "done"]})
    assert sorted(titles(response)) == ["已完成", "未开始"]


@pytest.mark.django_db
def test_owner_filter_keeps_that_persons_items(client_for, chair, owner, liuyang):
    make_action(lead=owner, title="王芳的事项")
    make_action(lead=liuyang, supports=[owner], title="王芳配合的事项")
    make_action(lead=liuyang, title="刘洋的事项")
    response = client_for(chair).get(DEPARTMENT_URL, {"owner": owner.pk})
    assert sorted(titles(response)) == ["王芳的事项", "王芳配合的事项"]


@pytest.mark.django_db
def test_overdue_filter_keeps_only_open_items_past_their_date(client_for, chair, owner):
    make_action(lead=owner, title="逾期", due_date=day(-1))
    make_action(lead=owner, title="今天到期", due_date=day(0))
    make_action(lead=owner, title="逾期但已完成", due_date=day(-5), status=Status.DONE)
    assert titles(client_for(chair).get(DEPARTMENT_URL, {"overdue": "on"})) == ["逾期"]


@pytest.mark.django_db
def test_due_range_filter(client_for, chair, owner):
    make_action(lead=owner, title="早", due_date=day(1))
    make_action(lead=owner, title="中", due_date=day(5))
    make_action(lead=owner, title="晚", due_date=day(10))
    response = client_for(chair).get(DEPARTMENT_URL, {"due_from": day(2), "due_to": day(10)})
    assert titles(response) == ["中", "晚"]


@pytest.mark.django_db
def test_meeting_and_series_filters(client_for, chair, owner, meeting):
    series = MeetingSeries.objects.create(title="市场部周例会")
    in_series = MeetingFactory(title="第13次周例会", series=series)
    make_action(lead=owner, meeting=meeting, title="第12次会上的事项")
    make_action(lead=owner, meeting=in_series, title="第13次会上的事项")
    client = client_for(chair)
    assert titles(client.get(DEPARTMENT_URL, {"meeting": meeting.pk})) == ["第12次会上的事项"]
    assert titles(client.get(DEPARTMENT_URL, {"series": series.pk})) == ["第13次会上的事项"]


@pytest.mark.django_db
def test_priority_filter(client_for, chair, owner):
    make_action(lead=owner, title="重要", priority=Priority.HIGH)
    make_action(lead=owner, title="一般")
    assert titles(client_for(chair).get(DEPARTMENT_URL, {"priority": "high"})) == ["重要"]


@pytest.mark.django_db
def test_stale_filter_keeps_open_items_without_recent_updates(client_for, chair, owner):
    quiet = make_action(lead=owner, title="十天没动静")
    busy = make_action(lead=owner, title="昨天有进展")
    never = make_action(lead=owner, title="从未更新")
    done = make_action(lead=owner, title="早已完成", status=Status.DONE)
    for action, days_ago in ((quiet, 10), (busy, 1), (done, 30)):
        ProgressEntry.objects.create(action=action, created_at=NOW - datetime.timedelta(days=days_ago))
    assert never.progress_entries.count() == 0
    response = client_for(chair).get(DEPARTMENT_URL, {"stale_days": "7"})
    assert sorted(titles(response)) == ["从未更新", "十天没动静"]


@pytest.mark.django_db
def test_malformed_date_shows_a_message_and_the_other_filters_still_apply(client_for, chair, owner):
    make_action(lead=owner, title="高优先级", priority=Priority.HIGH)
    make_action(lead=owner, title="普通")
    response = client_for(chair).get(DEPARTMENT_URL, {"due_from": "2026-13-45", "priority": "high"})
    assert response.status_code == 200
    assert "日期格式不正确" in response.text
    assert 'value="2026-13-45"' in response.text  # what was typed stays in the box
    assert titles(response) == ["高优先级"]


@pytest.mark.django_db
def test_malformed_stale_days_shows_a_message(client_for, chair, owner):
    make_action(lead=owner)
    for value in ("abc", "0", "1.5", "99999999999999999999"):
        response = client_for(chair).get(DEPARTMENT_URL, {"stale_days": value})
        assert response.status_code == 200
        assert "请填写 1 到 3650 之间的整数天数" in response.text


@pytest.mark.django_db
def test_reversed_date_range_is_explained(client_for, chair):
    response = client_for(chair).get(DEPARTMENT_URL, {"due_from": day(5), "due_to": day(1)})
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.text


@pytest.mark.django_db
def test_tampered_choices_do_not_crash(client_for, chair, owner):
    make_action(lead=owner)
    response = client_for(chair).get(
        DEPARTMENT_URL, {"owner": "999999", "status": "hacked", "meeting": "x", "page": "abc"}
    )
    assert response.status_code == 200


# --- Sorting and paging -------------------------------------------------------------------------


@pytest.mark.django_db
def test_sorting_by_whitelisted_columns(client_for, chair, owner):
    make_action(lead=owner, title="乙", due_date=day(3), progress=80)
    make_action(lead=owner, title="甲", due_date=day(1), progress=10)
    make_action(lead=owner, title="丙", due_date=None, progress=50)
    client = client_for(chair)
    assert titles(client.get(DEPARTMENT_URL)) == ["甲", "乙", "丙"]  # by date, undated last
    assert titles(client.get(DEPARTMENT_URL, {"sort": "-due_date"})) == ["乙", "甲", "丙"]
    assert titles(client.get(DEPARTMENT_URL, {"sort": "-progress"})) == ["乙", "丙", "甲"]


@pytest.mark.django_db
def test_sorting_by_postponements(client_for, chair, owner):
    make_action(lead=owner, title="从不延期")
    often = make_action(lead=owner, title="经常延期")
    DeadlineChange.objects.create(
        action=often, new_due_date=day(20), reason="等待", state=DeadlineChange.State.APPROVED
    )
    assert titles(client_for(chair).get(DEPARTMENT_URL, {"sort": "-postponements"})) == [
        "经常延期",
        "从不延期",
    ]


@pytest.mark.django_db
def test_unknown_sort_is_ignored(client_for, chair, owner):
    make_action(lead=owner, title="甲", due_date=day(1))
    make_action(lead=owner, title="乙", due_date=day(2))
    for value in ("created_by__password", "-meeting__chair__password", "1; DROP TABLE x"):
        response = client_for(chair).get(DEPARTMENT_URL, {"sort": value})
        assert response.status_code == 200
        assert titles(response) == ["甲", "乙"]


@pytest.mark.django_db
def test_sort_links_and_pages_keep_the_filters(client_for, chair, owner):
    for n in range(55):
        make_action(lead=owner, title=f"逾期事项{n}", due_date=day(-1 - n))
    response = client_for(chair).get(DEPARTMENT_URL, {"overdue": "on", "sort": "title"})
    assert len(response.context["page"].object_list) == 50
    text = response.text
    assert 'href="?overdue=on&amp;sort=title&amp;page=2"' in text
    assert 'href="?overdue=on&amp;sort=-title"' in text  # clicking the sorted column reverses it
    page_two = client_for(chair).get(DEPARTMENT_URL, {"overdue": "on", "sort": "title", "page": 2})
    assert len(page_two.context["page"].object_list) == 5


@pytest.mark.django_db
def test_export_links_carry_scope_and_filters(client_for, chair, owner, east):
    make_action(lead=owner)
    text = client_for(chair).get(DEPARTMENT_URL, {"department": east.pk, "overdue": "on", "page": 1}).text
    assert f'href="/actions/export.xlsx?department={east.pk}&amp;overdue=on&amp;scope=department"' in text


@pytest.mark.django_db
def test_empty_filter_result_says_so(client_for, chair, owner):
    make_action(lead=owner, priority=Priority.NORMAL)
    assert "没有符合筛选条件的行动项" in client_for(chair).get(DEPARTMENT_URL, {"priority": "low"}).text


@pytest.mark.django_db
def test_support_only_department_item_counts_for_the_head(client_for, chair, department, outsider):
    action = make_action(lead=outsider, title="市场部配合")
    ActionOwner.objects.create(action=action, department=department, role=ActionOwner.Role.SUPPORT)
    assert titles(client_for(chair).get(DEPARTMENT_URL)) == ["市场部配合"]


@pytest.mark.django_db
def test_meeting_filter_lists_recent_meetings_but_accepts_an_older_shared_one(client_for, chair, owner):
    from django.utils import timezone

    from actions.filters import MEETING_CHOICES

    start = timezone.now() - datetime.timedelta(days=400)
    meetings = [
        MeetingFactory(title=f"例会第{n}次", starts_at=start + datetime.timedelta(days=n))
        for n in range(MEETING_CHOICES + 2)
    ]
    for meeting in meetings:
        make_action(lead=owner, meeting=meeting, title=f"事项-{meeting.title}")
    client = client_for(chair)
    page = client.get(reverse("actions:department"))
    assert f'<option value="{meetings[-1].pk}">例会第' in page.text
    assert f'<option value="{meetings[0].pk}">例会第' not in page.text  # too old to be offered
    shared = client.get(reverse("actions:department"), {"meeting": meetings[0].pk})
    assert shared.status_code == 200
    assert "事项-例会第0次" in shared.text and "事项-例会第1次" not in shared.text
