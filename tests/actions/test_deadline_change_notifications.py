"""延期申请 in the bell: whoever may decide a request hears of it once, the requester hears the decision,
and an approved date no longer shows the meeting's words for the old one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import DeadlineChange, Notification
from actions.notifications import notify_deadline_requested
from meetings.templatetags.minutes import long_date
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def lina(db):
    """Chairs the meeting below; heads nothing, so she decides only as its chair."""
    return UserFactory(username="lina", name="李娜")


@pytest.fixture
def item(owner, chair, lina):
    """Led by 王芳 of 市场部 (head: 张伟), from a meeting chaired by 李娜: two people may decide."""
    meeting = MeetingFactory(title="季度经营分析会", chair=lina, recorder=lina)
    return make_action(lead=owner, meeting=meeting, title="提交渠道优化方案", due_date=in_days(5))


def ask(item, by, days=20, reason="供应商延期交货"):
    return services.deadline_change_request(
        action=item, by=by, new_due_date=in_days(days), reason=reason, approved=False
    )


def notified(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__name", flat=True))


def bell(client) -> str:
    return client.get(reverse("actions:notifications")).text


# ---- the request reaches the deciders


@pytest.mark.django_db
def test_request_notifies_the_chair_and_the_department_head_once_each_not_the_requester(
    owner, chair, lina, item
):
    change = ask(item, owner)
    assert notified(Notification.DEADLINE_REQUESTED) == ["张伟", "李娜"]
    assert not Notification.objects.filter(recipient=owner).exists()
    notify_deadline_requested(change=change)  # a second call adds nothing
    assert Notification.objects.filter(deadline_change=change).count() == 2


@pytest.mark.django_db
def test_chair_who_also_heads_the_department_is_notified_once(owner, chair, meeting):
    action = make_action(lead=owner, meeting=meeting, due_date=in_days(5))
    ask(action, owner)
    assert notified(Notification.DEADLINE_REQUESTED) == ["张伟"]


@pytest.mark.django_db
def test_a_department_without_a_head_asks_the_head_above(chair, department):
    east = DepartmentFactory(name="华东区", parent=department)
    liuyang = UserFactory(username="liuyang", name="刘洋", department=east)
    action = make_action(lead=liuyang, meeting=None, due_date=in_days(5))
    ask(action, liuyang)
    assert notified(Notification.DEADLINE_REQUESTED) == ["张伟"]


@pytest.mark.django_db
def test_a_change_made_by_a_decider_applies_at_once_and_notifies_nobody(chair, item):
    services.deadline_change_request(
        action=item, by=chair, new_due_date=in_days(20), reason="评审推迟", approved=True
    )
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_decider_sees_the_bell_go_up_and_the_link_opens_the_item_to_decide(client_for, owner, chair, item):
    client = client_for(chair)
    assert "notification-count" not in bell(client)
    change = ask(item, owner)
    html = bell(client)
    assert 'id="notification-count">1<' in html
    assert "延期申请待审批" in html and "提交渠道优化方案" in html
    assert f"王芳 申请将完成时限改为 {long_date(in_days(20))},原因:供应商延期交货" in html

    note = Notification.objects.get(recipient=chair)
    response = client.get(reverse("actions:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert reverse("actions:deadline_decide", args=[change.pk]) in client.get(response["Location"]).text
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.django_db
def test_requester_cannot_open_the_deciders_notification(client_for, owner, item):
    ask(item, owner)
    note = Notification.objects.filter(kind=Notification.DEADLINE_REQUESTED).first()
    assert client_for(owner).get(reverse("actions:notification_open", args=[note.pk])).status_code == 404


# ---- the decision reaches the requester


@pytest.mark.django_db
def test_requester_is_told_of_the_approval_with_the_new_date(client_for, owner, chair, item):
    change = ask(item, owner)
    client_for(chair).post(
        reverse("actions:deadline_decide", args=[change.pk]), {"decision": "approve", "note": "同意"}
    )
    assert notified(Notification.DEADLINE_APPROVED) == ["王芳"]
    html = bell(client_for(owner))
    assert 'id="notification-count">1<' in html
    assert "延期申请已批准" in html and f"新的完成时限:{long_date(in_days(20))}" in html


@pytest.mark.django_db
def test_requester_is_told_of_the_rejection_with_the_comment(client_for, owner, lina, item):
    change = ask(item, owner)
    client_for(lina).post(
        reverse("actions:deadline_decide", args=[change.pk]), {"decision": "reject", "note": "请按期完成"}
    )
    assert notified(Notification.DEADLINE_REJECTED) == ["王芳"]
    assert not Notification.objects.filter(kind=Notification.DEADLINE_APPROVED).exists()
    html = bell(client_for(owner))
    assert "延期申请已驳回" in html and "完成时限不变。审批意见:请按期完成" in html


@pytest.mark.django_db
def test_deciding_adds_nothing_to_the_deciders_bells(owner, chair, lina, item):
    change = ask(item, owner)
    services.deadline_change_decide(change=change, by=chair, approve=True)
    assert Notification.objects.filter(recipient__in=[chair, lina]).count() == 2  # the requests only


# ---- the wording of the old deadline


@pytest.fixture
def worded(owner, meeting):
    return make_action(
        lead=owner, meeting=meeting, title="发送会议材料", due_date=in_days(1), deadline_text="明天下班前"
    )


@pytest.mark.django_db
def test_approval_clears_the_original_wording_and_the_log_keeps_it(client_for, owner, chair, worded):
    change = ask(worded, owner, days=8)
    services.deadline_change_decide(change=change, by=chair, approve=True)
    worded.refresh_from_db()
    assert worded.due_date == in_days(8) and worded.deadline_text == ""
    text = client_for(owner).get(worded.get_absolute_url()).text
    assert "(原文:明天下班前)" not in text
    assert "时限原文:</span>明天下班前 → —" in text


@pytest.mark.django_db
def test_rejection_keeps_the_original_wording(client_for, owner, chair, worded):
    change = ask(worded, owner, days=8)
    services.deadline_change_decide(change=change, by=chair, approve=False, note="不同意")
    worded.refresh_from_db()
    assert worded.deadline_text == "明天下班前"
    assert "(原文:明天下班前)" in client_for(owner).get(worded.get_absolute_url()).text


@pytest.mark.django_db
def test_approval_still_counts_one_postponement(owner, chair, worded):
    change = ask(worded, owner, days=8)
    services.deadline_change_decide(change=change, by=chair, approve=True)
    assert worded.deadline_changes.filter(state=DeadlineChange.State.APPROVED).count() == 1


@pytest.mark.django_db
def test_completing_the_item_settles_the_request_and_clears_it_from_the_deciders_bells(
    owner, chair, lina, item
):
    change = ask(item, owner)
    assert Notification.objects.filter(deadline_change=change, read_at__isnull=True).count() == 2
    services.action_complete(action=item, by=owner, note="提前完成")
    change.refresh_from_db()
    assert change.state == DeadlineChange.State.REJECTED
    # Nothing left to decide: the bell no longer asks, and the requester (who completed it) is not told.
    assert not Notification.objects.filter(deadline_change=change, read_at__isnull=True).exists()
    assert not Notification.objects.filter(recipient=owner).exists()
