"""Bulk changes from 部门行动项: reassign the lead, move the deadline, cancel — after a confirmation,
only where the user may edit, and back to the same filtered list."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionOwner, DeadlineChange, ProgressEntry, Status
from tests.factories import MeetingFactory, UserFactory, make_action

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
    newcomer = UserFactory(name="周杰")
    ActionOwner.objects.create(action=items[0], user=helper, role=ActionOwner.Role.SUPPORT)
    response = post(client_for(chair), items[:1], operation="reassign", lead=newcomer.pk, reason="人员调整")
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
