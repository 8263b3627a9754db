"""The item page: full log, counters, deadline decisions, status changes, reassigning, occurrences and
attachments."""

import datetime
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import (
    ActionOwner,
    DeadlineChange,
    DeadlineKind,
    ProgressEntry,
    Status,
)
from tests.factories import MeetingFactory, make_action


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def item(owner, meeting):
    return make_action(lead=owner, meeting=meeting, title="提交渠道优化方案", due_date=in_days(5))


def page(client, action):
    return client.get(action.get_absolute_url())


# ---- the log and the counters


@pytest.mark.django_db
def test_log_shows_every_kind_of_change_newest_first(client_for, owner, chair, item, media):
    services.action_update_progress(action=item, by=owner, progress=40, note="完成调研")
    services.action_add_note(
        action=item, by=owner, note="附上初稿", attachment=SimpleUploadedFile("初稿.pdf", b"%PDF")
    )
    services.deadline_change_request(
        action=item, by=owner, new_due_date=in_days(9), reason="等数据", approved=False
    )
    services.deadline_change_decide(
        change=DeadlineChange.objects.get(), by=chair, approve=False, note="不同意"
    )
    services.deadline_change_request(
        action=item, by=chair, new_due_date=in_days(8), reason="调整", approved=True
    )
    services.owners_set(action=item, by=chair, owners=[(chair, ActionOwner.Role.LEAD)], reason="改由张伟牵头")
    occurrence = item.occurrences.create(due_date=in_days(1))
    services.occurrence_deliver(occurrence=occurrence, by=chair)
    services.action_set_status(action=item, by=chair, status=Status.ON_HOLD, reason="等待预算")

    text = page(client_for(chair), item).text
    history = text[text.index('id="history"') :]

    assert "状态:</span>进行中 → 已搁置" in history
    assert "已交付:</span>" in history
    assert "责任人:</span>王芳(牵头) → 张伟(牵头)" in history
    assert "完成时限:</span>" in history and "申请延期:</span>" in history
    assert "延期申请:</span>已驳回" in history
    assert "进度:</span>0% → 40%" in history
    entry = ProgressEntry.objects.get(attachment__startswith="progress/")
    assert f'<a href="{reverse("actions:attachment", args=[entry.pk])}">初稿.pdf</a>' in history
    assert history.index("等待预算") < history.index("改由张伟牵头") < history.index("完成调研")


@pytest.mark.django_db
def test_event_deadline_turning_into_a_date_reads_in_words(client_for, owner, chair, meeting):
    action = make_action(
        lead=owner,
        meeting=meeting,
        due_date=None,
        deadline_kind=DeadlineKind.EVENT,
        deadline_text="下次例会前",
    )
    services.deadline_change_request(
        action=action, by=chair, new_due_date=in_days(7), reason="定了日期", approved=True
    )
    text = page(client_for(owner), action).text
    assert "时限类型:</span>以事件为准 → 固定日期" in text
    assert "完成时限:</span>未定 → " in text


@pytest.mark.django_db
def test_counters_add_up_approved_extensions_and_reassignments(client_for, owner, chair, item, department):
    due = item.due_date
    services.deadline_change_request(
        action=item, by=chair, new_due_date=due + datetime.timedelta(days=3), reason="a", approved=True
    )
    services.deadline_change_request(
        action=item, by=chair, new_due_date=due + datetime.timedelta(days=7), reason="b", approved=True
    )
    services.deadline_change_request(
        action=item, by=owner, new_due_date=due + datetime.timedelta(days=30), reason="c", approved=False
    )
    services.deadline_change_decide(
        change=DeadlineChange.objects.get(state="pending"), by=chair, approve=False
    )
    services.owners_set(action=item, by=chair, owners=[(chair, ActionOwner.Role.LEAD)])
    services.owners_set(action=item, by=chair, owners=[(department, ActionOwner.Role.LEAD)])
    services.owners_set(action=item, by=chair, owners=[(department, ActionOwner.Role.LEAD)])  # no change

    text = page(client_for(owner), item).text
    assert "已延期 2 次,累计 7 天" in text
    assert "转办 2 次" in text


# ---- deadline requests


@pytest.fixture
def pending(owner, item):
    return services.deadline_change_request(
        action=item, by=owner, new_due_date=in_days(20), reason="供应商延期", approved=False
    )


@pytest.mark.django_db
def test_chair_sees_approve_and_reject_owner_sees_only_the_wait(client_for, owner, chair, item, pending):
    decide = reverse("actions:deadline_decide", args=[pending.pk])
    assert decide in page(client_for(chair), item).text
    text = page(client_for(owner), item).text
    assert "延期申请待审批" in text and "供应商延期" in text
    assert decide not in text


@pytest.mark.django_db
def test_approving_moves_the_deadline(client_for, chair, item, pending):
    response = client_for(chair).post(
        reverse("actions:deadline_decide", args=[pending.pk]), {"decision": "approve", "note": "同意"}
    )
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    item.refresh_from_db()
    pending.refresh_from_db()
    assert item.due_date == in_days(20) and pending.state == DeadlineChange.State.APPROVED


@pytest.mark.django_db
def test_rejecting_keeps_the_deadline(client_for, chair, item, pending):
    client_for(chair).post(reverse("actions:deadline_decide", args=[pending.pk]), {"decision": "reject"})
    item.refresh_from_db()
    pending.refresh_from_db()
    assert item.due_date == in_days(5) and pending.state == DeadlineChange.State.REJECTED


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["", "maybe"])
def test_decision_must_be_approve_or_reject(client_for, chair, item, pending, decision):
    response = client_for(chair).post(
        reverse("actions:deadline_decide", args=[pending.pk]), {"decision": decision}
    )
    assert response.status_code == 400 and "请选择批准或驳回。" in response.text
    pending.refresh_from_db()
    assert pending.state == DeadlineChange.State.PENDING


@pytest.mark.django_db
def test_deciding_twice_says_it_was_already_decided(client_for, chair, item, pending):
    client = client_for(chair)
    url = reverse("actions:deadline_decide", args=[pending.pk])
    client.post(url, {"decision": "approve"})
    response = client.post(url, {"decision": "reject"})
    assert response.status_code == 400 and "该延期申请已经处理过了。" in response.text
    pending.refresh_from_db()
    assert pending.state == DeadlineChange.State.APPROVED


@pytest.mark.django_db
def test_unknown_deadline_change_is_404(client_for, chair):
    assert client_for(chair).post(reverse("actions:deadline_decide", args=[999_999])).status_code == 404


# ---- status


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.ON_HOLD, Status.CANCELLED])
def test_hold_and_cancel_need_a_reason(client_for, chair, item, status):
    response = client_for(chair).post(
        reverse("actions:status", args=[item.pk]), {"status": status, "reason": " "}
    )
    assert response.status_code == 400
    assert "搁置或取消行动项时请说明原因。" in response.text
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_hold_then_resume(client_for, chair, item):
    client = client_for(chair)
    url = reverse("actions:status", args=[item.pk])
    client.post(url, {"status": Status.ON_HOLD, "reason": "等待预算批复"})
    item.refresh_from_db()
    assert item.status == Status.ON_HOLD and item.status_reason == "等待预算批复"
    assert "恢复跟进" in page(client, item).text
    client.post(url, {"status": Status.IN_PROGRESS})
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.status_reason == ""


@pytest.mark.django_db
def test_cancel_with_a_reason(client_for, chair, item):
    client_for(chair).post(
        reverse("actions:status", args=[item.pk]), {"status": "cancelled", "reason": "方案调整"}
    )
    item.refresh_from_db()
    assert item.status == Status.CANCELLED and item.status_reason == "方案调整"


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{"status": "done", "reason": "x"}, {"status": "<b>", "reason": "x"}, {}])
def test_tampered_status_is_refused(client_for, chair, item, data):
    response = client_for(chair).post(reverse("actions:status", args=[item.pk]), data)
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_reason_longer_than_500_is_refused_and_kept(client_for, chair, item):
    reason = "原因" * 300
    response = client_for(chair).post(
        reverse("actions:status", args=[item.pk]), {"status": "on_hold", "reason": reason}
    )
    assert response.status_code == 400 and reason in response.text
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_owner_sees_no_manage_section(client_for, owner, chair, item):
    assert 'id="manage"' not in page(client_for(owner), item).text
    assert 'id="manage"' in page(client_for(chair), item).text


# ---- owners


@pytest.mark.django_db
def test_reassigning_to_a_department_lead_and_a_supporter(
    client_for, owner, chair, outsider, item, department
):
    response = client_for(chair).post(
        reverse("actions:owners", args=[item.pk]),
        {"lead_departments": [department.pk], "support_users": [outsider.pk], "reason": "改由部门牵头"},
    )
    assert response.status_code == 302
    owners = {(o.user_id, o.department_id, o.role) for o in item.owners.all()}
    assert owners == {(None, department.pk, "lead"), (outsider.pk, None, "support")}
    entry = item.progress_entries.get()
    assert entry.changes["owners"] == [["王芳(牵头)"], ["市场部(牵头)", "赵磊(配合)"]]


@pytest.mark.django_db
def test_reassigning_without_a_lead_shows_the_services_message(client_for, owner, chair, outsider, item):
    response = client_for(chair).post(
        reverse("actions:owners", args=[item.pk]), {"support_users": [outsider.pk], "reason": "转给赵磊"}
    )
    assert response.status_code == 400
    assert "至少需要一位牵头责任人。" in response.text
    assert "转给赵磊" in response.text
    assert list(item.owners.values_list("user_id", "role")) == [(owner.pk, "lead")]


@pytest.mark.django_db
def test_reassigning_to_an_unknown_person_is_refused(client_for, owner, chair, item):
    response = client_for(chair).post(reverse("actions:owners", args=[item.pk]), {"lead_users": [999_999]})
    assert response.status_code == 400
    assert list(item.owners.values_list("user_id", flat=True)) == [owner.pk]


# ---- occurrences


@pytest.fixture
def weekly(owner, chair, meeting):
    """Weekly since a meeting two weeks ago: the first report was due a week ago."""
    meeting.starts_at = timezone.now() - datetime.timedelta(days=14)
    meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=2)
    meeting.save()
    action = services.action_create(
        title="每周提交进展报告",
        owners=[(owner, ActionOwner.Role.LEAD)],
        by=chair,
        meeting=meeting,
        deadline_text="每周",
    )
    assert action.occurrences.order_by("due_date").first().due_date == in_days(-7)
    return action


@pytest.mark.django_db
def test_recurring_item_lists_its_occurrences_and_delivers_one(client_for, owner, weekly):
    first, second = weekly.occurrences.order_by("due_date")[:2]
    client = client_for(owner)
    text = page(client, weekly).text
    assert text.count("标记已交付") == weekly.occurrences.count()
    response = client.post(reverse("actions:occurrence_deliver", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    weekly.refresh_from_db()
    assert first.delivered_by == owner and weekly.due_date == second.due_date
    assert "已交付" in page(client, weekly).text


@pytest.mark.django_db
def test_row_offers_delivering_the_next_occurrence_with_htmx(client_for, owner, weekly):
    first = weekly.occurrences.order_by("due_date").first()
    response = client_for(owner).post(
        reverse("actions:occurrence_deliver", args=[first.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "这一期已标记为已交付" in response.text
    assert "已交付 1/" in response.text


@pytest.mark.django_db
def test_unknown_occurrence_is_404(client_for, owner):
    assert client_for(owner).post(reverse("actions:occurrence_deliver", args=[999_999])).status_code == 404


# ---- attachments


@pytest.fixture
def attached(owner, item, media):
    upload = SimpleUploadedFile("渠道 方案(终稿).pdf", b"%PDF-1.7 final")
    return services.action_add_note(action=item, by=owner, note="终稿", attachment=upload)


@pytest.mark.django_db
def test_attachment_downloads_with_its_original_name(client_for, owner, attached):
    response = client_for(owner).get(reverse("actions:attachment", args=[attached.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 final"
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote("渠道 方案(终稿).pdf") in response["Content-Disposition"]


@pytest.mark.django_db
def test_attachment_of_a_confidential_item_is_404_for_an_outsider(client_for, owner, outsider, chair, media):
    secret = make_action(lead=owner, meeting=MeetingFactory(chair=chair, is_confidential=True))
    entry = services.action_add_note(
        action=secret, by=owner, note="内部", attachment=SimpleUploadedFile("a.txt", b"x")
    )
    assert client_for(outsider).get(reverse("actions:attachment", args=[entry.pk])).status_code == 404


@pytest.mark.django_db
def test_entry_without_attachment_or_missing_file_is_404(client_for, owner, item, attached, media):
    plain = services.action_add_note(action=item, by=owner, note="无附件")
    client = client_for(owner)
    assert client.get(reverse("actions:attachment", args=[plain.pk])).status_code == 404
    (media / attached.attachment.name).unlink()
    assert client.get(reverse("actions:attachment", args=[attached.pk])).status_code == 404


# ---- the page itself


@pytest.mark.django_db
def test_support_owner_page_has_progress_but_no_complete(client_for, owner, chair, meeting):
    action = make_action(lead=chair, supports=[owner], meeting=meeting)
    text = page(client_for(owner), action).text
    assert reverse("actions:progress", args=[action.pk]) in text
    assert reverse("actions:complete", args=[action.pk]) not in text


@pytest.mark.django_db
def test_department_head_changes_a_department_items_deadline_at_once(client_for, chair, department):
    action = make_action(lead_department=department, meeting=MeetingFactory())  # chair of another meeting
    client = client_for(chair)
    assert "修改时限" in page(client, action).text
    client.post(
        reverse("actions:deadline", args=[action.pk]),
        {"new_due_date": in_days(12).isoformat(), "reason": "调整"},
    )
    action.refresh_from_db()
    assert action.due_date == in_days(12)
