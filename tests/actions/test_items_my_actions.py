"""我的行动项: the groups, what each row shows, and the overdue boundary in Beijing time."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from actions import selectors, services
from actions.models import ActionItem, ActionOwner, DeadlineKind, Status
from tests.factories import DecisionFactory, MeetingFactory, UserFactory, make_action

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 18 March 2026, 10:00 in Beijing; that week's Sunday is the 22nd.
WEDNESDAY = datetime.datetime(2026, 3, 18, 10, 0, tzinfo=SHANGHAI)
TODAY = WEDNESDAY.date()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def my_page(client):
    return client.get(reverse("actions:my"))


@pytest.fixture
def frozen():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def titles(items):
    return [item.title for item in items]


@pytest.mark.django_db
def test_items_fall_into_the_groups_an_owner_expects(client_for, owner, chair, meeting, frozen):
    make_action(lead=owner, title="逾期两天", due_date=day(-2))
    make_action(lead=owner, title="逾期十天", due_date=day(-10))
    make_action(lead=owner, title="今天交", due_date=TODAY)
    make_action(lead=owner, title="周日交", due_date=day(4))
    make_action(lead=owner, title="周五交", due_date=day(2))
    make_action(lead=owner, title="下周一交", due_date=day(5))
    make_action(
        lead=owner,
        title="下次例会前",
        due_date=None,
        deadline_kind=DeadlineKind.EVENT,
        deadline_text="下次例会前",
    )
    make_action(lead=owner, title="持续推进", due_date=None, deadline_kind=DeadlineKind.ONGOING)
    services.action_create(
        title="每周报进展",
        owners=[(owner, ActionOwner.Role.LEAD)],
        by=chair,
        meeting=MeetingFactory(starts_at=WEDNESDAY - datetime.timedelta(days=1)),
        deadline_text="每周五",  # from day(2) on
    )
    make_action(lead=owner, title="搁置中", due_date=day(-5), status=Status.ON_HOLD, status_reason="预算未批")
    make_action(
        lead=owner,
        title="上周完成",
        status=Status.DONE,
        completed_at=timezone.now() - datetime.timedelta(days=8),
    )
    make_action(
        lead=owner,
        title="上月完成",
        status=Status.DONE,
        completed_at=timezone.now() - datetime.timedelta(days=15),
    )
    make_action(lead=owner, title="已取消", status=Status.CANCELLED)
    make_action(lead=UserFactory(), title="别人的", due_date=TODAY)

    groups = my_page(client_for(owner)).context["groups"]

    assert titles(groups["overdue"]) == ["逾期十天", "逾期两天"]
    assert titles(groups["today"]) == ["今天交"]
    assert titles(groups["this_week"]) == ["周五交", "周日交"]
    assert titles(groups["later"]) == ["下周一交", "下次例会前"]
    assert titles(groups["ongoing"]) == ["每周报进展", "持续推进"]
    assert titles(groups["on_hold"]) == ["搁置中"]
    assert titles(groups["done"]) == ["上周完成"]


@pytest.mark.django_db
def test_grouping_reuses_the_models_overdue_rule(owner, frozen):
    """A recurring item whose occurrence is late is overdue like any other item."""
    late = make_action(
        lead=owner, due_date=day(-1), deadline_kind=DeadlineKind.RECURRING, recurrence="weekly"
    )
    on_time = make_action(lead=owner, due_date=day(-1), status=Status.ON_HOLD)
    groups = selectors.group_my_actions([late, on_time], TODAY)
    assert groups["overdue"] == [late] and late.is_overdue_on(TODAY)
    assert groups["on_hold"] == [on_time] and not on_time.is_overdue_on(TODAY)


@pytest.mark.django_db
def test_overdue_group_is_red_and_says_how_many_days(client_for, owner, frozen):
    late = make_action(lead=owner, title="提交竞品分析", due_date=day(-5))
    text = my_page(client_for(owner)).text
    assert '<section class="action-group" id="overdue"' in text
    assert f'class="card action-row mb-2 p-3 overdue" id="action-{late.pk}"' in text
    assert "逾期5天" in text


@pytest.mark.django_db
def test_row_shows_meeting_decisions_owners_deadline_progress_and_latest_note(
    client_for, owner, chair, frozen
):
    meeting = MeetingFactory(title="市场部第12次周例会", starts_at=WEDNESDAY - datetime.timedelta(days=7))
    first = DecisionFactory(meeting=meeting, number=1, text="加大线上渠道投入")
    second = DecisionFactory(meeting=meeting, number=2, text="三月底前完成渠道评估")
    action = make_action(lead=owner, supports=[chair], meeting=meeting, title="渠道优化方案", due_date=day(3))
    action.decisions.set([first, second])
    services.action_update_progress(action=action, by=owner, progress=40, note="已访谈5家渠道商")

    text = my_page(client_for(owner)).text

    assert f'<a href="{meeting.get_absolute_url()}">市场部第12次周例会</a>' in text
    assert "2026年3月11日 (周三)" in text
    assert "决议一:加大线上渠道投入" in text and "决议二:三月底前完成渠道评估" in text
    assert "牵头:王芳 · 配合:张伟" in text
    assert "2026年3月21日 (周六)" in text and "还有3天" in text
    assert 'style="width: 40%"' in text
    assert "最新进展:已访谈5家渠道商" in text


@pytest.mark.django_db
def test_event_deadline_without_a_date_reads_as_pending(client_for, owner, frozen):
    make_action(lead=owner, due_date=None, deadline_kind=DeadlineKind.EVENT, deadline_text="下次例会前")
    assert "待定:下次例会前" in my_page(client_for(owner)).text


@pytest.mark.django_db
def test_recurring_row_shows_deliveries_and_next_date(client_for, owner, chair, meeting, frozen):
    weekly = services.action_create(
        title="每周提交进展报告",
        owners=[(owner, ActionOwner.Role.LEAD)],
        by=chair,
        meeting=MeetingFactory(starts_at=WEDNESDAY - datetime.timedelta(days=21)),
        deadline_text="每周",  # on Wednesdays, from day(-14) on
    )
    for occurrence in weekly.occurrences.order_by("due_date")[:2]:
        services.occurrence_deliver(occurrence=occurrence, by=owner)

    response = my_page(client_for(owner))

    assert titles(response.context["groups"]["ongoing"]) == ["每周提交进展报告"]
    assert "每周 · 下一次:2026年3月18日 (周三)" in response.text
    assert "已交付 2/3" in response.text


@pytest.mark.django_db
def test_ongoing_row_shows_cadence_and_asks_for_an_update_when_due(client_for, owner, chair, meeting):
    with time_machine.travel(WEDNESDAY - datetime.timedelta(days=15), tick=False):
        stale = services.action_create(
            title="持续跟进大客户",
            owners=[(owner, ActionOwner.Role.LEAD)],
            by=chair,
            meeting=meeting,
            deadline_text="持续进行",
            checkin_days=14,
        )
    with time_machine.travel(WEDNESDAY, tick=False):
        text = my_page(client_for(owner)).text
        assert "每 14 天更新一次进展" in text and "该更新进展了" in text

        services.action_add_note(action=stale, by=owner, note="本周拜访2家")
        assert "该更新进展了" not in my_page(client_for(owner)).text


@pytest.mark.django_db
def test_support_owner_may_report_but_sees_no_complete_button(client_for, owner, chair, frozen):
    action = make_action(lead=chair, supports=[owner], due_date=day(1))
    text = my_page(client_for(owner)).text
    row = text[text.index(f'id="action-{action.pk}"') :]
    assert "更新进度" in row and "写进展" in row and "申请延期" in row
    assert reverse("actions:complete", args=[action.pk]) not in text


@pytest.mark.django_db
def test_rows_post_in_place_with_htmx_and_also_work_as_plain_forms(client_for, owner, frozen):
    action = make_action(lead=owner)
    client = client_for(owner)
    text = my_page(client).text
    complete = reverse("actions:complete", args=[action.pk])
    assert f'action="{complete}" hx-post="{complete}"' in text
    assert 'hx-target="this" hx-swap="outerHTML"' in text
    # The progress form is fetched when its panel opens, and posts in place like the others.
    panel = reverse("actions:panel", args=[action.pk, "progress"])
    assert f'hx-get="{panel}"' in text
    url = reverse("actions:progress", args=[action.pk])
    form = client.get(panel, HTTP_HX_REQUEST="true").text
    assert f'action="{url}" hx-post="{url}"' in form and " open>" in form
    assert '{"code":"400","swap":true,"error":false}' in text  # error rows are swapped in too


@pytest.mark.django_db
def test_panels_are_only_for_people_who_may_report(client_for, owner, outsider, frozen):
    action = make_action(lead=owner)
    assert client_for(outsider).get(reverse("actions:panel", args=[action.pk, "note"])).status_code == 403
    assert client_for(owner).get(reverse("actions:panel", args=[action.pk, "bogus"])).status_code == 404


@pytest.mark.django_db
def test_titles_and_notes_are_escaped(client_for, owner, frozen):
    action = make_action(lead=owner, title="<script>alert('t')</script>")
    services.action_add_note(action=action, by=owner, note="<img src=x onerror=alert(1)>")
    text = my_page(client_for(owner)).text
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


@pytest.mark.django_db
def test_empty_state_when_only_cancelled_items_remain(client_for, owner, frozen):
    make_action(lead=owner, status=Status.CANCELLED)
    response = my_page(client_for(owner))
    assert "您目前没有待完成的行动项。" in response.text
    assert 'id="completed"' not in response.text


@pytest.mark.django_db
def test_home_lands_on_my_actions(client_for, owner):
    assert client_for(owner).get("/")["Location"] == reverse("actions:my")


# The server clock runs in UTC; deadlines are Beijing dates (UTC+8).
UTC = ZoneInfo("UTC")


@pytest.mark.django_db
def test_due_today_at_2359_beijing_is_not_overdue_while_the_server_clock_is_utc(client_for, owner):
    action = make_action(lead=owner, due_date=datetime.date(2026, 3, 20))
    with time_machine.travel(datetime.datetime(2026, 3, 20, 15, 59, tzinfo=UTC), tick=False):
        assert datetime.datetime.now().hour == 15  # noqa: DTZ005 - the process clock really is UTC
        response = my_page(client_for(owner))
        assert response.context["groups"]["today"] == [action]
        assert response.context["groups"]["overdue"] == []
        assert "今天到期" in response.text
        assert not ActionItem.objects.overdue().exists()


@pytest.mark.django_db
def test_due_yesterday_is_overdue_one_minute_after_beijing_midnight(client_for, owner):
    action = make_action(lead=owner, due_date=datetime.date(2026, 3, 20))
    # 16:01 UTC on the 20th is 00:01 on the 21st in Beijing.
    with time_machine.travel(datetime.datetime(2026, 3, 20, 16, 1, tzinfo=UTC), tick=False):
        response = my_page(client_for(owner))
        assert response.context["groups"]["overdue"] == [action]
        assert "逾期1天" in response.text
        assert list(ActionItem.objects.overdue()) == [action]


@pytest.mark.django_db
def test_the_items_start_line_is_not_shown_as_latest_progress(client_for, owner, chair, meeting, frozen):
    services.action_create(
        title="整理客户名单",
        owners=[(owner, ActionOwner.Role.LEAD)],
        by=chair,
        meeting=meeting,
        due_date=day(3),
    )
    text = my_page(client_for(owner)).text
    assert "整理客户名单" in text and "最新进展" not in text


@pytest.mark.django_db
def test_a_long_group_shows_its_first_rows_and_offers_the_rest(client_for, owner, frozen):
    from actions.views.items import ROWS_PER_GROUP

    for n in range(ROWS_PER_GROUP + 3):
        make_action(lead=owner, title=f"以后的事项{n}", due_date=day(30 + n))
    client = client_for(owner)
    text = my_page(client).text
    assert text.count('class="card action-row') == ROWS_PER_GROUP
    assert "还有 3 项未显示。" in text and 'href="?show=all#later"' in text
    assert f">{ROWS_PER_GROUP + 3}</span></h2>" in text  # the heading counts them all
    everything = client.get(reverse("actions:my") + "?show=all").text
    assert everything.count('class="card action-row') == ROWS_PER_GROUP + 3
