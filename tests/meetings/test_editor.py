"""The minutes editor's endpoints: who may use them, saving one field, conflicts, bad input, adding blocks."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem, ActionOwner, DeadlineKind
from meetings.models import AgendaItem, Attendance, Decision, Meeting, SpeakerReport
from tests.factories import AgendaItemFactory, DecisionFactory, MeetingFactory, UserFactory, make_action

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def url(name, meeting, *args):
    return reverse(f"meetings:{name}", args=[meeting.pk, *args])


def action_url(name, meeting, *args):
    """The editor's endpoints only about action items (actions/views/minutes.py)."""
    return reverse(f"meeting_actions:{name}", args=[meeting.pk, *args])


def save(client, meeting, key, value, base, **extra):
    entity, pk, field = key.split(":")
    body = {"entity": entity, "pk": pk, "field": field, "value": value, "base": base, **extra}
    return client.post(url("editor_save", meeting), json.dumps(body), content_type="application/json")


def add(client, meeting, kind, **data):
    return client.post(url("editor_add", meeting, kind), json.dumps(data), content_type="application/json")


# --- who may open and use it


def test_chair_opens_the_editor(client_for, chair, meeting):
    response = client_for(chair).get(url("editor", meeting))
    assert response.status_code == 200
    assert "记录纪要" in response.content.decode()
    assert f'data-save="meeting:{meeting.pk}:title"' in response.content.decode()


def test_outsider_gets_404(client_for, outsider, meeting):
    assert client_for(outsider).get(url("editor", meeting)).status_code == 404
    response = save(client_for(outsider), meeting, f"meeting:{meeting.pk}:title", "改名", meeting.title)
    assert response.status_code == 404
    meeting.refresh_from_db()
    assert meeting.title == "市场部第12次周例会"


def test_owner_who_may_only_read_gets_404(client_for, owner, meeting):
    assert client_for(owner).get(url("editor", meeting)).status_code == 404


def test_nobody_edits_published_minutes(client_for, chair, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.PUBLISHED)
    assert client_for(chair).get(url("editor", meeting)).status_code == 404
    assert save(client_for(chair), meeting, f"meeting:{meeting.pk}:summary", "x", "").status_code == 404


def test_logged_out_save_answers_401_not_a_redirect(client, meeting):
    response = save(client, meeting, f"meeting:{meeting.pk}:summary", "总结", "")
    assert response.status_code == 401
    assert response.json()["login"] is True


def test_login_page_of_the_editor_redirects(client, meeting):
    response = client.get(url("editor", meeting))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- saving one field


def test_saving_a_field_updates_only_that_field(client_for, chair, meeting):
    response = save(client_for(chair), meeting, f"meeting:{meeting.pk}:summary", "下周继续推进", "")
    assert response.status_code == 200
    assert response.json()["value"] == "下周继续推进"
    meeting.refresh_from_db()
    assert meeting.summary == "下周继续推进"
    assert meeting.title == "市场部第12次周例会"


def test_stale_save_is_refused_with_the_current_text(client_for, chair, meeting):
    decision = DecisionFactory(meeting=meeting, text="同意方案A")
    client = client_for(chair)
    assert save(client, meeting, f"decision:{decision.pk}:text", "同意方案B", "同意方案A").status_code == 200
    response = save(client, meeting, f"decision:{decision.pk}:text", "同意方案C", "同意方案A")
    assert response.status_code == 409
    assert response.json()["current"] == "同意方案B"
    decision.refresh_from_db()
    assert decision.text == "同意方案B"


def test_user_may_keep_their_version_after_seeing_the_conflict(client_for, chair, meeting):
    decision = DecisionFactory(meeting=meeting, text="同意方案B")
    response = save(client_for(chair), meeting, f"decision:{decision.pk}:text", "合并:A与B", "同意方案B")
    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.text == "合并:A与B"


def test_different_fields_never_conflict(client_for, chair, meeting):
    decision = DecisionFactory(meeting=meeting, text="原决定", problem="")
    client = client_for(chair)
    assert save(client, meeting, f"decision:{decision.pk}:text", "新决定", "原决定").status_code == 200
    assert save(client, meeting, f"decision:{decision.pk}:problem", "问题", "").status_code == 200
    decision.refresh_from_db()
    assert (decision.text, decision.problem) == ("新决定", "问题")


def test_same_text_saved_twice_is_not_a_conflict(client_for, chair, meeting):
    decision = DecisionFactory(meeting=meeting, text="A")
    client = client_for(chair)
    assert save(client, meeting, f"decision:{decision.pk}:text", "B", "A").status_code == 200
    assert save(client, meeting, f"decision:{decision.pk}:text", "B", "A").status_code == 200


def test_a_row_of_another_meeting_cannot_be_reached(client_for, chair, meeting):
    other = DecisionFactory(text="别的会议")
    response = save(client_for(chair), meeting, f"decision:{other.pk}:text", "改", "别的会议")
    assert response.status_code == 410
    other.refresh_from_db()
    assert other.text == "别的会议"


def test_report_content_comes_back_rendered_and_sanitised(client_for, chair, meeting):
    item = AgendaItemFactory(meeting=meeting)
    report = SpeakerReport.objects.create(agenda_item=item, speaker_name="李明", content="旧")
    response = save(
        client_for(chair),
        meeting,
        f"report:{report.pk}:content",
        "**重点**\n- 一\n\n<script>alert(1)</script>",
        "旧",
    )
    html = response.json()["html"]
    assert "<strong>重点</strong>" in html and "<li>一</li>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- bad input: a clear message, nothing changed on the server (the page keeps the text)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("meeting:{m}:title", "   ", "会议名称不能为空。"),
        ("meeting:{m}:ends_at", "2000-01-01T08:00", "结束时间不能早于开始时间。"),
        ("meeting:{m}:summary", "字" * 100_000, "内容过长"),
        ("meeting:{m}:chair", "999999", "所选人员已被删除或停用"),
    ],
)
def test_bad_input_gets_a_message(client_for, chair, meeting, key, value, message):
    key = key.format(m=meeting.pk)
    field = key.split(":")[2]
    before = getattr(Meeting.objects.get(pk=meeting.pk), field)
    response = save(client_for(chair), meeting, key, value, "")
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert getattr(Meeting.objects.get(pk=meeting.pk), field) == before


def test_pasted_word_html_is_kept_as_text_with_a_warning(client_for, chair, meeting):
    word = '<p class=MsoNormal><span style="mso-bidi-font-size:10.5pt">会议要点</span><o:p></o:p></p>'
    response = save(client_for(chair), meeting, f"meeting:{meeting.pk}:background", word, "")
    assert response.status_code == 200
    assert "Word" in response.json()["warning"]
    meeting.refresh_from_db()
    assert meeting.background == word


def test_end_time_after_start_is_saved(client_for, chair, meeting):
    ends = timezone.localtime(meeting.starts_at) + datetime.timedelta(hours=3)
    value = ends.strftime("%Y-%m-%dT%H:%M")
    response = save(client_for(chair), meeting, f"meeting:{meeting.pk}:ends_at", value, "", force=True)
    assert response.status_code == 200, response.content
    assert response.json()["value"] == value


# --- attendance


def test_one_click_status_updates_the_counts(client_for, chair, owner, meeting):
    attendance = Attendance.objects.create(meeting=meeting, user=owner)
    response = save(
        client_for(chair), meeting, f"attendance:{attendance.pk}:status", "excused", "present", force=True
    )
    assert response.status_code == 200
    assert response.json()["counts"] == {"expected": 1, "present": 0, "guests": 0}


def test_guest_is_added_by_name_and_organisation(client_for, chair, meeting):
    response = add(
        client_for(chair), meeting, "guest", guest_name="刘教授", guest_organisation="特邀行业专家"
    )
    assert response.status_code == 200
    assert "刘教授(特邀行业专家)" in response.json()["html"]
    assert Attendance.objects.get(meeting=meeting, guest_name="刘教授").role == Attendance.Role.GUEST


def test_guest_without_a_name_gets_a_message(client_for, chair, meeting):
    response = add(client_for(chair), meeting, "guest", guest_name=" ", guest_organisation="某公司")
    assert response.status_code == 400
    assert "guest_name" in response.json()["errors"]


# --- adding blocks


def test_empty_agenda_title_gets_a_message(client_for, chair, meeting):
    response = add(client_for(chair), meeting, "agenda", title="", day="1")
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    assert not AgendaItem.objects.filter(meeting=meeting).exists()


def test_agenda_item_report_and_decision_are_added(client_for, chair, meeting):
    client = client_for(chair)
    response = add(client, meeting, "agenda", title="渠道推广进展", planned_minutes="20", day="1")
    assert response.status_code == 200, response.content
    item = AgendaItem.objects.get(meeting=meeting)
    assert response.json()["target"] == "#agenda-list"
    response = add(
        client, meeting, "report", agenda_item=str(item.pk), speaker_any="t:外部顾问", content="- 要点"
    )
    assert response.status_code == 200, response.content
    assert response.json()["target"] == f"#reports-{item.pk}"
    response = add(client, meeting, "decision", agenda_item=str(item.pk), text="同意", problem="预算不足")
    assert response.status_code == 200, response.content
    decision = Decision.objects.get(meeting=meeting)
    assert (decision.number, decision.agenda_item) == (1, item)


def test_action_with_owners_and_deadline_wording(client_for, chair, owner, department, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=datetime.datetime(2026, 3, 3, 14, 0, tzinfo=SHANGHAI)
    )
    decision = DecisionFactory(meeting=meeting)
    response = add(
        client_for(chair),
        meeting,
        "action",
        title="提交渠道优化方案",
        owners=[
            {"type": "u", "id": str(owner.pk), "role": "lead", "label": "王芳"},
            {"type": "d", "id": str(department.pk), "role": "support", "label": "市场部"},
        ],
        deadline_text="两周内",
        due_date="",
        priority="high",
        decisions=[str(decision.pk)],
    )
    assert response.status_code == 200, response.content
    assert response.json()["target"] == f"#decision-actions-{decision.pk}"
    action = ActionItem.objects.get(meeting=meeting)
    assert action.due_date == datetime.date(2026, 3, 17)
    assert action.deadline_kind == DeadlineKind.RELATIVE and action.deadline_text == "两周内"
    roles = {(o.user_id, o.department_id, o.role) for o in action.owners.all()}
    assert roles == {(owner.pk, None, "lead"), (None, department.pk, "support")}


def test_unreadable_wording_is_kept_without_a_date(client_for, chair, owner, meeting):
    response = add(
        client_for(chair),
        meeting,
        "action",
        title="完善考核办法",
        owners=[{"type": "u", "id": str(owner.pk), "role": "lead"}],
        deadline_text="等领导定",
    )
    assert response.status_code == 200, response.content
    action = ActionItem.objects.get(meeting=meeting)
    assert (action.deadline_text, action.due_date) == ("等领导定", None)
    assert "无法识别" in response.json()["html"]


def test_deleted_owner_gets_a_message(client_for, chair, meeting):
    gone = UserFactory(name="离职员工")
    gone_id = gone.pk
    gone.delete()
    response = add(
        client_for(chair),
        meeting,
        "action",
        title="跟进",
        owners=[{"type": "u", "id": str(gone_id), "role": "lead", "label": "离职员工"}],
        deadline_text="一周内",
    )
    assert response.status_code == 400
    assert "离职员工" in response.json()["errors"]["owners"]
    assert not ActionItem.objects.filter(meeting=meeting).exists()


def test_owners_are_changed_in_place(client_for, chair, owner, meeting):
    action = make_action(meeting=meeting, lead=chair)
    response = client_for(chair).post(
        action_url("editor_owners", meeting, action.pk),
        json.dumps({"owners": [{"type": "u", "id": owner.pk, "role": "lead"}]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert list(action.owners.values_list("user_id", "role")) == [(owner.pk, ActionOwner.Role.LEAD)]


def test_deadline_wording_saved_in_place_recomputes_the_date(client_for, chair, owner, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=datetime.datetime(2026, 3, 3, 14, 0, tzinfo=SHANGHAI)
    )
    action = make_action(meeting=meeting, lead=owner, due_date=datetime.date(2026, 3, 5), deadline_text="")
    response = save(client_for(chair), meeting, f"action:{action.pk}:deadline_text", "一周内", "")
    assert response.status_code == 200, response.content
    assert response.json()["due_date"] == "2026-03-10"
    action.refresh_from_db()
    assert action.due_date == datetime.date(2026, 3, 10)
    assert action.progress_entries.filter(changes__has_key="due_date").exists()


def test_a_wording_typed_in_place_that_recurs_plans_the_occurrences(client_for, chair, owner, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=datetime.datetime(2026, 3, 3, 14, 0, tzinfo=SHANGHAI)  # a Tuesday
    )
    action = make_action(meeting=meeting, lead=owner, due_date=datetime.date(2026, 3, 5), deadline_text="")
    response = save(client_for(chair), meeting, f"action:{action.pk}:deadline_text", "每周五", "")
    assert response.status_code == 200, response.content
    action.refresh_from_db()
    assert action.deadline_kind == DeadlineKind.RECURRING
    fridays = list(action.occurrences.order_by("due_date").values_list("due_date", flat=True)[:3])
    assert fridays == [datetime.date(2026, 3, 6), datetime.date(2026, 3, 13), datetime.date(2026, 3, 20)]
    assert action.due_date == datetime.date(2026, 3, 6)  # the first undelivered occurrence


def test_deadline_preview_shows_the_computed_date(client_for, chair, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=datetime.datetime(2026, 3, 3, 14, 0, tzinfo=SHANGHAI)
    )
    data = client_for(chair).get(action_url("editor_deadline", meeting), {"text": "两周内"}).json()
    assert data["suggested"] == "2026-03-17" and "3月17日" in data["message"]


def test_a_date_picked_over_the_words_wins_and_says_so(client_for, chair, owner, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=datetime.datetime(2026, 3, 3, 14, 0, tzinfo=SHANGHAI)
    )
    action = make_action(meeting=meeting, lead=owner, due_date=None, deadline_text="")
    client = client_for(chair)
    assert save(client, meeting, f"action:{action.pk}:deadline_text", "两周内", "").status_code == 200
    response = save(client, meeting, f"action:{action.pk}:due_date", "2026-03-20", "2026-03-17")
    assert response.status_code == 200, response.content
    assert response.json()["deadline"]["message"] == "按所选日期:2026年3月20日 (周五)"
    assert response.json()["deadline"]["confirm"] is False
    action.refresh_from_db()
    assert (action.deadline_kind, action.due_date) == (DeadlineKind.DATE, datetime.date(2026, 3, 20))
    assert action.deadline_text == "两周内"  # the words are kept
    # Cleared, the date is the words' again.
    response = save(client, meeting, f"action:{action.pk}:due_date", "", "2026-03-20")
    assert response.json()["due_date"] == "2026-03-17"
    action.refresh_from_db()
    assert action.deadline_kind == DeadlineKind.RELATIVE


def test_before_the_next_meeting_takes_its_date_once_it_is_scheduled(client_for, chair, department):
    from meetings.models import MeetingSeries

    series = MeetingSeries.objects.create(title="市场部周例会", department=department, chair=chair)
    meeting = MeetingFactory(series=series, chair=chair, recorder=chair, department=department)
    client = client_for(chair)
    preview = client.get(action_url("editor_deadline", meeting), {"text": "下次例会前"}).json()
    assert (preview["suggested"], preview["message"]) == ("", "下次会议排期后自动得出日期")
    later = MeetingFactory(series=series, starts_at=meeting.starts_at + datetime.timedelta(days=7))
    day = timezone.localdate(later.starts_at)
    preview = client.get(action_url("editor_deadline", meeting), {"text": "下次例会前"}).json()
    assert preview["suggested"] == day.isoformat() and "下次会议" in preview["message"]
    chip = {"type": "u", "id": str(chair.pk), "role": "lead"}
    response = add(client, meeting, "action", title="评估工作量", owners=[chip], deadline_text="下次例会前")
    assert response.status_code == 200, response.content
    action = ActionItem.objects.get(meeting=meeting)
    assert (action.deadline_kind, action.due_date) == (DeadlineKind.EVENT, day)


# --- agenda order and others' additions


def test_reorder_persists_order_and_day(client_for, chair, meeting):
    a, b, c = (AgendaItemFactory(meeting=meeting, order=i) for i in (1, 2, 3))
    response = client_for(chair).post(
        url("editor_reorder", meeting),
        json.dumps({"order": [[c.pk, 1], [a.pk, 2], [b.pk, 2]]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    rows = list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "day"))
    assert rows == [(c.pk, 1), (a.pk, 2), (b.pk, 2)]


def test_news_sends_only_what_the_page_does_not_have(client_for, chair, meeting):
    old = AgendaItemFactory(meeting=meeting, title="旧议题")
    client = client_for(chair)
    assert client.get(url("editor_news", meeting), {"agenda": old.pk}).content == b""
    new = AgendaItemFactory(meeting=meeting, title="同事新加的议题")
    body = client.get(url("editor_news", meeting), {"agenda": old.pk}).content.decode()
    assert "同事新加的议题" in body and "旧议题" not in body
    assert f'data-id="{new.pk}"' in body


def test_delete_report_after_confirmation(client_for, chair, meeting):
    item = AgendaItemFactory(meeting=meeting)
    report = SpeakerReport.objects.create(agenda_item=item, speaker_name="李明", content="x")
    assert client_for(chair).post(url("editor_delete", meeting, "report", report.pk)).status_code == 200
    assert not SpeakerReport.objects.filter(pk=report.pk).exists()


def test_script_payloads_are_shown_as_text(client_for, chair, meeting):
    DecisionFactory(meeting=meeting, text="<script>alert(1)</script>")
    item = AgendaItemFactory(meeting=meeting, title='"><script>alert(2)</script>')
    SpeakerReport.objects.create(
        agenda_item=item, speaker_name="<b>顾问</b>", content="<script>alert(3)</script>"
    )
    html = client_for(chair).get(url("editor", meeting)).content.decode()
    assert "<script>alert(" not in html and "<b>顾问" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;script&gt;alert(2)" in html


def test_meeting_page_links_to_the_editor_for_editors_only(client_for, chair, owner, meeting):
    link = url("editor", meeting)
    assert link in client_for(chair).get(meeting.get_absolute_url()).content.decode()
    Attendance.objects.create(meeting=meeting, user=owner)
    assert link not in client_for(owner).get(meeting.get_absolute_url()).content.decode()


def test_review_item_shows_the_series_open_actions(client_for, chair, owner, department):
    from meetings.models import MeetingSeries

    series = MeetingSeries.objects.create(title="市场部周例会", department=department, chair=chair)
    earlier = MeetingFactory(series=series, chair=chair, department=department, title="第11次周例会")
    earlier.starts_at -= datetime.timedelta(days=7)
    earlier.save()
    make_action(meeting=earlier, lead=owner, title="上周遗留:渠道报价")
    meeting = MeetingFactory(series=series, chair=chair, recorder=chair, department=department)
    AgendaItemFactory(meeting=meeting, title="上次会议行动项回顾", kind=AgendaItem.Kind.REVIEW)
    html = client_for(chair).get(url("editor", meeting)).content.decode()
    assert 'id="review"' in html and "上周遗留:渠道报价" in html
