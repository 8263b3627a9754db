"""Status and approval: submit, send back, approve and publish, reopen into v2, history, e-mails."""

import hashlib

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from config.celery import app as celery_app
from meetings import lifecycle, services
from meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingLogEntry, MeetingVersion
from tests.factories import DecisionFactory, MeetingFactory, UserFactory, make_action

Status = Meeting.Status


@pytest.fixture
def eager_celery(django_capture_on_commit_callbacks):
    """Run tasks in-process when the transaction commits, so the e-mail lands in mail.outbox. The
    integration tests send the same e-mails through a real worker and SMTP server."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def recorder(department):
    return UserFactory(username="chenjing", name="陈静", department=department, email="chenjing@example.cn")


@pytest.fixture
def minutes(chair, recorder, owner, department):
    """Minutes taken by 陈静, chaired by 张伟 (head of 市场部), with 王芳 attending."""
    meeting = MeetingFactory(
        title="市场部第12次周例会", chair=chair, recorder=recorder, department=department, created_by=recorder
    )
    for user, role in ((chair, "chair"), (recorder, "recorder"), (owner, "participant")):
        Attendance.objects.create(meeting=meeting, user=user, role=role)
    DecisionFactory(meeting=meeting, number=1, text="同意第四季度渠道调整方案")
    return meeting


def post(client, name, meeting, data=None, follow=False):
    return client.post(reverse(f"meetings:{name}", args=[meeting.pk]), data or {}, follow=follow)


def test_canonical_hash_ignores_key_order():
    assert lifecycle.content_hash({"a": 1, "b": "决议"}) == lifecycle.content_hash({"b": "决议", "a": 1})
    expected = hashlib.sha256('{"a":1,"b":"决议"}'.encode()).hexdigest()
    assert lifecycle.content_hash({"b": "决议", "a": 1}) == expected


@pytest.mark.django_db
def test_recorder_submits_and_then_may_no_longer_edit(client_for, minutes, recorder):
    client = client_for(recorder)
    response = post(client, "submit", minutes, follow=True)
    assert "纪要已提交审批" in response.text
    minutes.refresh_from_db()
    assert (minutes.status, minutes.submitted_by) == (Status.SUBMITTED, recorder)
    assert post(client, "agenda_add", minutes, {"title": "补充议题", "day": 1}).status_code == 404
    assert not AgendaItem.objects.filter(title="补充议题").exists()


@pytest.mark.django_db
def test_chair_sends_back_with_a_comment_the_recorder_sees(client_for, minutes, recorder, chair):
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    response = post(client_for(chair), "return", minutes, {"comment": ""}, follow=True)
    assert "请写明需要修改的地方" in response.text
    minutes.refresh_from_db()
    assert minutes.status == Status.SUBMITTED

    post(client_for(chair), "return", minutes, {"comment": "决议一请写明负责部门"})
    minutes.refresh_from_db()
    assert minutes.status == Status.IN_PROGRESS
    page = client_for(recorder).get(minutes.get_absolute_url())
    assert "决议一请写明负责部门" in page.text
    assert 'id="agenda_form"' in page.text  # editable again


@pytest.mark.django_db
def test_chair_approves_and_the_minutes_are_published_and_locked(
    client_for, minutes, recorder, chair, owner, eager_celery, django_capture_on_commit_callbacks
):
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(chair), "approve", minutes, follow=True)
    assert "纪要已签发发布(版本 v1)" in response.text
    minutes.refresh_from_db()
    assert (minutes.status, minutes.published_by) == (Status.PUBLISHED, chair)
    version = minutes.versions.get()
    assert version.number == 1 and version.published_by == chair
    assert version.content["meeting"]["title"] == "市场部第12次周例会"
    assert version.content["decisions"][0]["text"] == "同意第四季度渠道调整方案"
    assert version.sha256 == lifecycle.content_hash(version.content)

    page = client_for(recorder).get(minutes.get_absolute_url())
    assert "纪要已签发发布,内容已锁定" in page.text
    assert 'id="agenda_form"' not in page.text

    # 王芳 (participant) and 陈静 (recorder) have addresses; each gets one e-mail with a link.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (chair, recorder, owner) if u.email
    )
    message = next(m for m in mail.outbox if m.to == [owner.email])
    assert message.subject == "【纪要已发布】市场部第12次周例会"
    assert minutes.get_absolute_url() in message.body
    assert minutes.get_absolute_url() in message.alternatives[0][0]


@pytest.mark.django_db
def test_publication_e_mail_is_in_the_recipients_language(minutes, recorder, chair, owner):
    from django.utils import formats, timezone, translation

    from meetings import notifications
    from meetings.models import MeetingNotice

    owner.language = "en"
    owner.save()
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    lifecycle.meeting_publish(meeting=minutes, by=chair)
    day = timezone.localdate(minutes.starts_at)
    english = notifications.build_message(MeetingNotice.objects.get(meeting=minutes, recipient=owner))
    chinese = notifications.build_message(MeetingNotice.objects.get(meeting=minutes, recipient=recorder))
    with translation.override("en"):
        assert formats.date_format(day, "DATE_FORMAT") in english.body
    assert f"{day.year}年{day.month}月{day.day}日" in chinese.body
    assert f"{day.year}年" not in english.body


@pytest.mark.django_db
def test_stale_approve_click_after_someone_else_published(client_for, minutes, recorder, chair, department):
    approver = UserFactory(name="总经办 刘洋")
    approver.user_permissions.add(Permission.objects.get(codename="approve_meeting"))
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    lifecycle.meeting_publish(meeting=minutes, by=chair)
    response = post(client_for(approver), "approve", minutes, follow=True)
    assert response.status_code == 200
    assert "该纪要已由张伟于" in response.text and "签发发布,无需再次操作" in response.text
    assert MeetingVersion.objects.filter(meeting=minutes).count() == 1


@pytest.mark.django_db
def test_self_approval_is_refused_when_the_policy_forbids_it(client_for, minutes, chair, settings):
    lifecycle.meeting_submit(meeting=minutes, by=chair)  # the chair took the minutes and submitted
    response = post(client_for(chair), "approve", minutes, follow=True)
    assert "提交人不能审批自己提交的纪要" in response.text
    minutes.refresh_from_db()
    assert minutes.status == Status.SUBMITTED

    settings.MEETINGS_ALLOW_SELF_APPROVAL = True
    post(client_for(chair), "approve", minutes)
    minutes.refresh_from_db()
    assert minutes.status == Status.PUBLISHED


@pytest.mark.django_db
def test_minutes_without_decisions_or_actions_ask_for_confirmation(client_for, chair, recorder, department):
    meeting = MeetingFactory(chair=chair, recorder=recorder, department=department)
    lifecycle.meeting_submit(meeting=meeting, by=recorder)
    response = post(client_for(chair), "approve", meeting)
    assert response.status_code == 400
    assert "既没有决议,也没有行动项" in response.text
    meeting.refresh_from_db()
    assert meeting.status == Status.SUBMITTED
    post(client_for(chair), "approve", meeting, {"confirm_empty": "1"})
    meeting.refresh_from_db()
    assert meeting.status == Status.PUBLISHED


@pytest.mark.django_db
def test_reopen_needs_a_reason_and_republishing_makes_v2_while_v1_stays(client_for, minutes, recorder, chair):
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    v1 = lifecycle.meeting_publish(meeting=minutes, by=chair)
    v1_content, v1_hash = v1.content, v1.sha256
    v1_download = client_for(chair).get(reverse("meetings:version_snapshot", args=[minutes.pk, 1])).content

    response = post(client_for(chair), "reopen", minutes, {"reason": ""}, follow=True)
    assert "必须说明原因" in response.text
    minutes.refresh_from_db()
    assert minutes.status == Status.PUBLISHED

    post(client_for(chair), "reopen", minutes, {"reason": "决议一金额有误"})
    minutes.refresh_from_db()
    assert minutes.status == Status.IN_PROGRESS
    Decision.objects.filter(meeting=minutes, number=1).update(text="同意第四季度渠道调整方案,预算200万元")
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    v2 = lifecycle.meeting_publish(meeting=minutes, by=chair)

    assert v2.number == 2 and v2.sha256 != v1_hash
    v1.refresh_from_db()
    assert (v1.content, v1.sha256) == (v1_content, v1_hash)
    assert v1.reopen_reason == "决议一金额有误" and v1.reopened_by == chair
    assert (
        client_for(chair).get(reverse("meetings:version_snapshot", args=[minutes.pk, 1])).content
        == v1_download
    )
    assert hashlib.sha256(v1_download).hexdigest() == v1_hash

    page = client_for(chair).get(reverse("meetings:versions", args=[minutes.pk]) + "?a=1&b=2")
    # The comparison reads like the minutes: 决议一, not the snapshot's keys.
    assert "-决议一:同意第四季度渠道调整方案" in page.text
    assert "+决议一:同意第四季度渠道调整方案,预算200万元" in page.text
    assert "problem:" not in page.text and "title:" not in page.text
    assert "决议一金额有误" in page.text


@pytest.mark.django_db
def test_published_minutes_reject_every_write(client_for, minutes, recorder, chair, owner, department):
    """Through the page's forms, the services, and the admin for staff who are not superusers."""
    item = AgendaItem.objects.create(meeting=minutes, title="渠道调整")
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    lifecycle.meeting_publish(meeting=minutes, by=chair)
    staff = UserFactory(name="管理员", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="meetings"))
    forms = {
        "agenda_add": {"title": "插入议题", "day": 1},
        "decision_add": {"text": "新的决议"},
        "attendance_add": {"guest_name": "外部嘉宾", "role": "guest", "status": "present"},
        "report_add": {"agenda_item": item.pk, "speaker_name": "李明", "content": "补充"},
        "action_add": {"title": "新的行动项"},
        "agenda_postponed": None,
        "review_update": None,
    }
    for user in (chair, recorder, staff):
        client = client_for(user)
        for name, data in forms.items():
            if name == "agenda_postponed":
                url = reverse("meetings:agenda_postponed", args=[minutes.pk, item.pk])
                data = {"postponed": "1"}
            elif name == "review_update":
                url = reverse("meeting_actions:review_update", args=[minutes.pk, 1])
                data = {"status": "done"}
            elif name == "action_add":
                url = reverse("meeting_actions:add", args=[minutes.pk])
            else:
                url = reverse(f"meetings:{name}", args=[minutes.pk])
            assert client.post(url, data).status_code == 404, (user, name)
        response = client.post(
            reverse("meetings:editor_save", args=[minutes.pk]),
            {
                "entity": "decision",
                "pk": minutes.decisions.get().pk,
                "name": "text",
                "base": "",
                "value": "改",
            },
        )
        assert response.status_code in (403, 404), (user, "editor")
    with pytest.raises(Exception, match="纪要已发布"):
        services.decision_add(meeting=minutes, text="绕过页面")
    with pytest.raises(Exception, match="纪要已发布"):
        services.agenda_item_add(meeting=minutes, title="绕过页面")

    admin_url = reverse("admin:meetings_meeting_change", args=[minutes.pk])
    response = client_for(staff).post(admin_url, {"title": "改标题"})
    assert response.status_code == 403
    minutes.refresh_from_db()
    assert minutes.title == "市场部第12次周例会"
    assert minutes.agenda_items.count() == 1 and minutes.decisions.count() == 1
    item.refresh_from_db()
    assert not item.is_postponed


@pytest.mark.django_db
def test_history_records_who_changed_what(client_for, minutes, recorder, chair, owner):
    client = client_for(recorder)
    post(client, "agenda_add", minutes, {"title": "渠道调整", "day": 1})
    post(client, "submit", minutes)
    post(client_for(chair), "return", minutes, {"comment": "请补充汇报"})
    action = make_action(lead=owner, meeting=minutes, title="提交渠道优化方案")
    from actions.services import action_update_progress

    action_update_progress(action=action, by=owner, progress=40, note="初稿")
    page = client_for(owner).get(reverse("meetings:history", args=[minutes.pk]))
    text = page.text
    assert "陈静" in text and "渠道调整" in text
    assert "退回修改" in text and "请补充汇报" in text
    assert "提交渠道优化方案" in text and "初稿" in text
    assert "待审批" in text  # the status shown in words, not codes
    verbs = list(minutes.log_entries.values_list("verb", flat=True))
    assert MeetingLogEntry.Verb.SUBMITTED in verbs and MeetingLogEntry.Verb.RETURNED in verbs


@pytest.mark.django_db
def test_english_history_says_what_was_done_where_the_buttons_say_what_to_do(
    client_for, minutes, recorder, chair
):
    post(client_for(recorder), "agenda_add", minutes, {"title": "渠道调整", "day": 1})
    post(client_for(recorder), "submit", minutes)
    post(client_for(chair), "return", minutes, {"comment": "请补充汇报"})
    chair.language = "en"
    chair.save(update_fields=["language"])
    client = client_for(chair)
    history = client.get(reverse("meetings:history", args=[minutes.pk])).text
    assert "Created · Agenda item “渠道调整”" in history
    assert "Submitted for approval" in history and "Returned for changes" in history
    page = client.get(minutes.get_absolute_url()).text
    assert "<strong>Returned for changes</strong>" in page
    with translation.override("en"):
        assert MeetingLogEntry.Verb.DELETED.label == "Deleted" and gettext("删除") == "Delete"
        assert MeetingLogEntry.Verb.REOPENED.label == "Reopened" and gettext("重新打开") == "Reopen"


@pytest.mark.django_db
def test_participant_comments_on_a_draft_but_not_after_publication(
    client_for, minutes, owner, recorder, chair
):
    response = post(client_for(owner), "comment_add", minutes, {"text": "第二项汇报人应为李明"}, follow=True)
    assert "评论已发表" in response.text and "第二项汇报人应为李明" in response.text
    response = post(client_for(owner), "comment_add", minutes, {"text": "  "}, follow=True)
    assert "请填写评论内容" in response.text
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    lifecycle.meeting_publish(meeting=minutes, by=chair)
    response = post(client_for(owner), "comment_add", minutes, {"text": "再补充一句"}, follow=True)
    assert "纪要已发布,不能再评论" in response.text
    assert minutes.comments.count() == 1


@pytest.mark.django_db
def test_meeting_can_be_saved_as_a_template_and_started_from_it(client_for, minutes, chair, owner):
    AgendaItem.objects.create(meeting=minutes, title="各组工作汇报", order=1, planned_minutes=30)
    post(client_for(chair), "save_template", minutes, {"name": "市场部周例会模板"})
    from meetings.models import MeetingTemplate

    template = MeetingTemplate.objects.get()
    assert template.agenda == [{"title": "各组工作汇报", "planned_minutes": 30}]
    assert list(template.participants.all()) == [owner]
    response = client_for(chair).post(
        reverse("meetings:template_use", args=[template.pk]),
        {"title": "市场部第13次周例会", "starts_at": "2026-12-07T09:30"},
    )
    meeting = Meeting.objects.get(title="市场部第13次周例会")
    assert response.status_code == 302
    assert [i.title for i in meeting.agenda_items.all()] == ["各组工作汇报"]
    assert meeting.attendances.filter(user=owner).exists()
    bad = client_for(chair).post(
        reverse("meetings:template_use", args=[template.pk]), {"title": "保留我", "starts_at": ""}
    )
    assert bad.status_code == 400 and 'value="保留我"' in bad.text


@pytest.mark.django_db
def test_meeting_page_shows_the_latest_reopen_reason_not_an_earlier_return(
    client_for, minutes, recorder, chair
):
    client = client_for(recorder)
    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    lifecycle.meeting_return(meeting=minutes, by=chair, comment="请补充汇报")
    page = client.get(minutes.get_absolute_url()).text
    assert "<strong>退回修改</strong>" in page and "请补充汇报" in page

    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    lifecycle.meeting_publish(meeting=minutes, by=chair)
    assert 'id="return-comment"' not in client.get(minutes.get_absolute_url()).text

    lifecycle.meeting_reopen(meeting=minutes, by=chair, reason="决议一金额有误")
    page = client.get(minutes.get_absolute_url()).text
    assert "<strong>重新打开原因</strong>" in page and "决议一金额有误" in page
    assert "请补充汇报" not in page and "<strong>退回修改</strong>" not in page

    lifecycle.meeting_submit(meeting=minutes, by=recorder)
    assert "决议一金额有误" in client.get(minutes.get_absolute_url()).text  # the approver sees why
    lifecycle.meeting_publish(meeting=minutes, by=chair)
    page = client.get(minutes.get_absolute_url()).text
    assert 'id="return-comment"' not in page and "决议一金额有误" not in page
