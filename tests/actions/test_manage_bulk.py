"""Bulk changes from 部门行动项: reassign the lead, move the deadline, cancel — after a confirmation,
only where the user may edit, and back to the same filtered list."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from actions import selectors
from actions.models import ActionItem, ActionOwner, DeadlineChange, ProgressEntry, Status
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

BULK_URL = reverse("actions:bulk")
LIST_URL = reverse("actions:department") + "?overdue=on&sort=title"


def post(client, items, confirm=True, **fields):
    data = {"items": [item.pk for item in items], "next": LIST_URL, **fields}
    if confirm:
        data["confirm"] = "1"
    return client.post(BULK_URL, data)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def items(owner):
    return [make_action(lead=owner, title=f"整改{n}") for n in range(3)]


@pytest.mark.django_db
def test_first_post_asks_for_confirmation_and_changes_nothing(client_for, chair, items):
    response = post(client_for(chair), items, confirm=False, operation="cancel", reason="方案调整")
    assert response.status_code == 200
    assert "确认执行" in response.text
    assert "将取消以下 3 项" in response.text
    for item in items:
        assert f'name="items" value="{item.pk}"' in response.text
    assert not any(i.status == Status.CANCELLED for i in type(items[0]).objects.all())


@pytest.mark.django_db
def test_confirmed_cancel_applies_and_returns_to_the_filtered_list(client_for, chair, items):
    response = post(client_for(chair), items, operation="cancel", reason="方案调整")
    assert response.status_code == 302 and response["Location"] == LIST_URL
    for item in items:
        item.refresh_from_db()
        assert item.status == Status.CANCELLED and item.status_reason == "方案调整"
    assert message_texts(response) == ["3 项已处理。"]


@pytest.mark.django_db
def test_items_the_user_may_not_edit_are_skipped_and_reported(client_for, chair, items, outsider):
    foreign = make_action(lead=outsider, title="研发部的事项", meeting=MeetingFactory(is_confidential=True))
    client = client_for(chair)
    confirm_page = post(client, [*items, foreign], confirm=False, operation="cancel", reason="调整")
    assert "另有 1 项您没有权限修改" in confirm_page.text
    assert "研发部的事项" not in confirm_page.text  # not even the title of what they may not see

    response = post(client, [*items, foreign], operation="cancel", reason="调整")
    assert message_texts(response) == ["3 项已处理,1 项无权限未处理。"]
    foreign.refresh_from_db()
    assert foreign.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_owner_who_is_not_a_manager_cannot_cancel(client_for, owner, items):
    response = post(client_for(owner), items, operation="cancel", reason="不想做了")
    assert message_texts(response) == ["0 项已处理,3 项无权限未处理。"]
    assert all(item.status == Status.NOT_STARTED for item in type(items[0]).objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("operation", ["cancel", "deadline"])
def test_reason_is_required(client_for, chair, items, operation):
    new_day = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = post(client_for(chair), items, operation=operation, reason="  ", new_due_date=new_day)
    assert response.status_code == 400
    assert "请说明原因" in response.text
    assert f'value="{new_day}"' in response.text  # the date typed is kept
    assert not ProgressEntry.objects.exists()


@pytest.mark.django_db
def test_nothing_selected_is_explained(client_for, chair):
    response = client_for(chair).post(BULK_URL, {"operation": "cancel", "reason": "x", "next": LIST_URL})
    assert response.status_code == 400
    assert "请先在列表中勾选要处理的行动项" in response.text


@pytest.mark.django_db
def test_reassign_lead_keeps_supports_and_logs_it(client_for, chair, owner, items):
    helper = UserFactory(name="孙丽")
    newcomer = UserFactory(name="周杰", department=owner.department)
    ActionOwner.objects.create(action=items[0], user=helper, role=ActionOwner.Role.SUPPORT)
    response = post(
        client_for(chair), items[:1], operation="reassign", lead=f"user-{newcomer.pk}", reason="人员调整"
    )
    assert response.status_code == 302
    owners = {(o.user, o.role) for o in items[0].owners.all()}
    assert owners == {(newcomer, ActionOwner.Role.LEAD), (helper, ActionOwner.Role.SUPPORT)}
    assert ProgressEntry.objects.filter(action=items[0], changes__has_key="owners").exists()


@pytest.mark.django_db
def test_reassign_needs_a_person(client_for, chair, items):
    response = post(client_for(chair), items, operation="reassign")
    assert response.status_code == 400
    assert "请选择新的牵头人" in response.text


@pytest.mark.django_db
def test_manager_deadline_change_applies_at_once(client_for, chair, items):
    new_day = timezone.localdate() + datetime.timedelta(days=30)
    response = post(
        client_for(chair), items[:2], operation="deadline", new_due_date=new_day, reason="客户推迟"
    )
    assert message_texts(response) == ["2 项已处理。"]
    for item in items[:2]:
        item.refresh_from_db()
        assert item.due_date == new_day
    assert DeadlineChange.objects.filter(state=DeadlineChange.State.APPROVED).count() == 2


@pytest.mark.django_db
def test_recorder_deadline_change_waits_for_approval(client_for, owner):
    recorder = UserFactory(name="记录员")
    meeting = MeetingFactory(recorder=recorder)
    item = make_action(lead=owner, meeting=meeting)
    due = item.due_date
    new_day = timezone.localdate() + datetime.timedelta(days=30)
    post(client_for(recorder), [item], operation="deadline", new_due_date=new_day, reason="会上说的是月底")
    item.refresh_from_db()
    assert item.due_date == due
    assert DeadlineChange.objects.get(action=item).state == DeadlineChange.State.PENDING


@pytest.mark.django_db
def test_items_the_service_refuses_are_reported_by_title(client_for, chair, owner, items):
    finished = make_action(lead=owner, title="已完成的事项", status=Status.DONE)
    response = post(client_for(chair), [items[0], finished], operation="cancel", reason="调整")
    texts = message_texts(response)
    assert texts[0] == "1 项已处理,1 项未能处理。"
    assert texts[1] == "“已完成的事项”:事项状态为“已完成”,无需取消。"
    finished.refresh_from_db()
    assert finished.status == Status.DONE


@pytest.mark.django_db
def test_bulk_is_post_only_and_needs_login(client, client_for, chair):
    assert client.post(BULK_URL).status_code == 302
    assert client_for(chair).get(BULK_URL).status_code == 405


@pytest.mark.django_db
def test_next_cannot_point_elsewhere(client_for, chair, items):
    response = client_for(chair).post(
        BULK_URL,
        {
            "items": [items[0].pk],
            "operation": "cancel",
            "reason": "x",
            "confirm": "1",
            "next": "https://evil.cn/",
        },
    )
    assert response["Location"] == reverse("actions:department")


@pytest.mark.django_db
def test_list_page_has_checkboxes_and_the_bulk_form(client_for, chair, items):
    text = client_for(chair).get(LIST_URL.replace("overdue=on&", "")).text
    assert f'name="items" value="{items[0].pk}"' in text
    assert f'action="{BULK_URL}"' in text


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def lead_options(html: str) -> list[str]:
    select = re.search(r'<select name="lead".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


# --- 修改完成时限 ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deadline_in_the_past_is_refused_and_the_page_keeps_what_was_typed(client_for, chair, items):
    yesterday = day(-1).isoformat()
    response = post(client_for(chair), items, operation="deadline", new_due_date=yesterday, reason="调整")
    assert response.status_code == 400
    assert "新的完成时限不能早于今天" in response.text  # the words of the owner's own deadline form
    assert f'value="{yesterday}"' in response.text
    assert '<option value="deadline" selected>' in response.text
    assert 'value="调整"' in response.text
    assert not DeadlineChange.objects.exists()
    assert all(item.due_date == day(7) for item in ActionItem.objects.all())


@pytest.mark.django_db
def test_deadline_today_is_accepted(client_for, chair, items):
    response = post(client_for(chair), items[:1], operation="deadline", new_due_date=day(0), reason="提前")
    assert message_texts(response) == ["1 项已处理。"]
    items[0].refresh_from_db()
    assert items[0].due_date == day(0)


@pytest.mark.django_db
def test_moving_a_deadline_earlier_is_a_date_change_not_a_postponement(client_for, chair, items):
    response = post(client_for(chair), items[:1], operation="deadline", new_due_date=day(2), reason="提前")
    assert message_texts(response) == ["1 项已处理。"]
    item = items[0]
    item.refresh_from_db()
    assert item.due_date == day(2)
    assert ProgressEntry.objects.get(action=item, changes__has_key="due_date").changes["due_date"] == [
        str(day(7)),
        str(day(2)),
    ]
    assert not DeadlineChange.objects.exists()
    scope = ActionItem.objects.filter(pk=item.pk)
    assert selectors.top_postponers(scope) == []
    assert selectors.actions_for_manage(scope).get().postponement_count == 0


@pytest.mark.django_db
def test_moving_a_deadline_later_is_a_postponement(client_for, chair, items):
    post(client_for(chair), items[:1], operation="deadline", new_due_date=day(20), reason="客户推迟")
    scope = ActionItem.objects.filter(pk=items[0].pk)
    assert selectors.actions_for_manage(scope).get().postponement_count == 1
    assert [row["postponements"] for row in selectors.top_postponers(scope)] == [1]


# --- 更换牵头人 ------------------------------------------------------------------------------------


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="admin", name="系统管理员", is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_confirmation_offers_the_same_leads_as_the_list(
    client_for, chair, owner, department, items, sysadmin
):
    client = client_for(chair)
    on_list = lead_options(client.get(reverse("actions:department")).text)
    response = post(client, items, operation="reassign", reason="人员调整")  # no lead chosen
    assert response.status_code == 400
    assert lead_options(response.text) == on_list
    assert set(on_list) == {"", f"user-{chair.pk}", f"user-{owner.pk}", f"department-{department.pk}"}
    assert "系统管理员" not in response.text


@pytest.mark.django_db
def test_reassign_outside_the_managers_departments_is_refused(client_for, chair, items, outsider, sysadmin):
    client = client_for(chair)
    for stranger in (outsider, sysadmin):
        response = post(client, items, operation="reassign", lead=f"user-{stranger.pk}", reason="x")
        assert response.status_code == 400
        assert "只能交给您所管理部门的成员或这些部门" in response.text
        assert "请选择新的牵头人" not in response.text
    assert not ActionOwner.objects.filter(user__in=[outsider, sysadmin]).exists()
    assert not ProgressEntry.objects.exists()


@pytest.mark.django_db
def test_reassign_to_a_managed_department(client_for, chair, department, items):
    east = DepartmentFactory(name="华东区", parent=department)
    response = post(client_for(chair), items[:1], operation="reassign", lead=f"department-{east.pk}")
    assert message_texts(response) == ["1 项已处理。"]
    leads = [(o.user, o.department) for o in items[0].owners.filter(role=ActionOwner.Role.LEAD)]
    assert leads == [(None, east)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [{"operation": "reassign", "reason": "人员调整"}, {"operation": "deadline", "reason": "客户推迟"}],
)
def test_done_and_cancelled_items_are_skipped_and_counted(client_for, chair, owner, items, fields):
    newcomer = UserFactory(name="周杰", department=owner.department)
    fields = {**fields, "lead": f"user-{newcomer.pk}", "new_due_date": day(30).isoformat()}
    done = make_action(lead=owner, title="已完成的事项", status=Status.DONE)
    cancelled = make_action(lead=owner, title="已取消的事项", status=Status.CANCELLED)
    client = client_for(chair)
    chosen = [items[0], done, cancelled]

    confirm_page = post(client, chosen, confirm=False, **fields)
    assert "将把以下 1 项" in confirm_page.text
    assert "另有 2 项已完成或已取消,将跳过,不做处理。" in confirm_page.text
    assert "已完成的事项" not in confirm_page.text

    response = post(client, chosen, **fields)
    assert message_texts(response) == ["1 项已处理,2 项已完成或已取消,已跳过。"]
    for item in (done, cancelled):
        assert [o.user for o in item.owners.all()] == [owner]
        assert item.due_date == day(7)
        assert not ProgressEntry.objects.filter(action=item).exists()


# --- Page --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirmation_page_highlights_department_actions(client_for, chair, items):
    text = post(client_for(chair), items, confirm=False, operation="cancel", reason="调整").text
    assert f'class="nav-link active" href="{reverse("actions:department")}"' in text
    assert f'class="nav-link" href="{reverse("actions:my")}"' in text


@pytest.mark.django_db
def test_english_bulk_labels_are_not_glued_to_their_hints(client_for, chair, items):
    chair.language = "en"
    chair.save(update_fields=["language"])
    html = client_for(chair).get(reverse("actions:department")).text
    bar = re.search(r'<div class="card p-2 mb-2 bulk-bar".*?</button>', html, re.S)
    visible = re.sub(r"<[^>]+>", "", bar.group(0))
    assert "New lead" in visible and "when changing the lead" in visible
    assert "New lead(" not in visible and "Reason(" not in visible


@pytest.mark.django_db
def test_staff_on_all_actions_may_hand_an_item_to_anyone(client_for, items, outsider, sysadmin):
    client = client_for(sysadmin)
    fields = {"operation": "reassign", "lead": f"user-{outsider.pk}", "scope": "all", "reason": "调整"}
    confirm_page = post(client, items[:1], confirm=False, **fields)
    assert f'class="nav-link active" href="{reverse("actions:all")}"' in confirm_page.text
    assert message_texts(post(client, items[:1], **fields)) == ["1 项已处理。"]
    assert [o.user for o in items[0].owners.all()] == [outsider]
