import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem, ActionOwner, ProgressEntry, Status
from tests.factories import MeetingFactory, UserFactory, make_action


def complete_url(action):
    return reverse("actions:complete", args=[action.pk])


@pytest.mark.django_db
def test_my_actions_lists_overdue_first_and_highlights_them(client_for, owner):
    today = timezone.localdate()
    later = make_action(lead=owner, title="下周提交方案", due_date=today + datetime.timedelta(days=6))
    very_late = make_action(lead=owner, title="提交竞品分析", due_date=today - datetime.timedelta(days=9))
    late = make_action(lead=owner, title="更新产品手册", due_date=today - datetime.timedelta(days=2))
    make_action(
        lead=owner, title="已完成的事项", due_date=today - datetime.timedelta(days=9), status=Status.DONE
    )
    make_action(lead=UserFactory(), title="别人的事项", due_date=today)

    response = client_for(owner).get(reverse("actions:my"))
    assert response.context["overdue"] == [very_late, late]
    assert response.context["upcoming"] == [later]
    text = response.text
    assert text.index("提交竞品分析") < text.index("更新产品手册") < text.index("下周提交方案")
    assert "别人的事项" not in text
    assert f'class="card action-row mb-2 p-3 overdue" id="action-{very_late.pk}"' in text
    assert "逾期9天" in text


@pytest.mark.django_db
def test_department_head_sees_items_owned_by_the_department(client_for, chair, department):
    action = make_action(lead_department=department, title="市场部整改")
    response = client_for(chair).get(reverse("actions:my"))
    assert action in response.context["upcoming"]


@pytest.mark.django_db
def test_empty_state_when_nothing_is_owed(client_for, outsider):
    assert "您目前没有待完成的行动项" in client_for(outsider).get(reverse("actions:my")).text


@pytest.mark.django_db
def test_my_actions_query_count_does_not_grow(client_for, owner, chair, django_assert_max_num_queries):
    for _ in range(3):
        make_action(lead=owner, supports=[chair])
    client = client_for(owner)
    with django_assert_max_num_queries(9) as small:
        client.get(reverse("actions:my"))
    for _ in range(20):
        make_action(lead=owner, supports=[chair], meeting=MeetingFactory())
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("actions:my"))


@pytest.mark.django_db
def test_owner_can_mark_done_with_a_note(client_for, owner):
    action = make_action(lead=owner)
    response = client_for(owner).post(complete_url(action), {"note": "已提交", "next": reverse("actions:my")})
    assert response.status_code == 302 and response["Location"] == reverse("actions:my")
    action.refresh_from_db()
    assert action.status == Status.DONE and action.completed_by == owner
    assert ProgressEntry.objects.get(action=action).note == "已提交"


@pytest.mark.django_db
def test_chair_of_the_source_meeting_can_mark_done(client_for, chair, owner, meeting):
    action = make_action(lead=owner, meeting=meeting)
    client_for(chair).post(complete_url(action))
    action.refresh_from_db()
    assert action.status == Status.DONE and action.completed_by == chair


@pytest.mark.django_db
def test_department_head_can_mark_department_item_done(client_for, chair, department):
    action = make_action(lead_department=department, meeting=MeetingFactory())
    client_for(chair).post(complete_url(action))
    action.refresh_from_db()
    assert action.status == Status.DONE


@pytest.mark.django_db
def test_outsider_cannot_mark_someone_elses_item_done(client_for, outsider, owner, meeting):
    action = make_action(lead=owner, meeting=meeting)
    response = client_for(outsider).post(complete_url(action), {"note": "我来完成"})
    assert response.status_code == 403  # may read the open meeting's item, may not act on it
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED
    assert not ProgressEntry.objects.filter(action=action).exists()


@pytest.mark.django_db
def test_support_owner_may_not_mark_done(client_for, owner, outsider):
    action = make_action(lead=owner, supports=[outsider])
    response = client_for(outsider).post(complete_url(action))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_completing_requires_post(client_for, owner):
    action = make_action(lead=owner)
    assert client_for(owner).get(complete_url(action)).status_code == 405


@pytest.mark.django_db
def test_completing_checks_csrf(client, owner):
    from django.test import Client

    action = make_action(lead=owner)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(complete_url(action)).status_code == 403
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_next_parameter_cannot_redirect_off_site(client_for, owner):
    action = make_action(lead=owner)
    response = client_for(owner).post(complete_url(action), {"next": "https://evil.example.com/"})
    assert response["Location"] == action.get_absolute_url()


@pytest.mark.django_db
def test_action_detail_of_confidential_meeting_is_404_for_outsider(
    client_for, outsider, owner, chair, department
):
    secret = MeetingFactory(chair=chair, department=department, is_confidential=True)
    action = make_action(lead=owner, meeting=secret)
    assert client_for(outsider).get(action.get_absolute_url()).status_code == 404
    assert client_for(owner).get(action.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_recorder_adds_an_action_item_for_an_owner(client_for, chair, owner, meeting):
    decision = meeting.decisions.create(number=1, text="开展行业直播")
    response = client_for(chair).post(
        reverse("meeting_actions:add", args=[meeting.pk]),
        {
            "title": "策划3场行业直播",
            "lead_user": owner.pk,
            "support_users": [chair.pk],
            "decisions": [decision.pk],
            "due_date": "2030-04-15",
            "deadline_text": "4月15日前",
            "priority": "high",
        },
    )
    assert response.status_code == 302
    action = ActionItem.objects.get()
    assert list(action.decisions.all()) == [decision]
    assert {(o.user, o.role) for o in action.owners.all()} == {(owner, "lead"), (chair, "support")}
    assert action.deadline_text == "4月15日前"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"lead_user": ""}, "请指定牵头人或牵头部门"),
        ({"due_date": ""}, "请填写完成日期"),
        ({"due_date": "1900-01-01"}, "年份应在 2000 到 2100 之间"),
        ({"due_date": "2030-02-30"}, "输入一个有效的日期"),
    ],
)
def test_bad_action_input_keeps_what_was_typed(client_for, chair, owner, meeting, data, message):
    form = {
        "title": "整理客户反馈<b>粗体</b>",
        "lead_user": owner.pk,
        "due_date": "2030-04-15",
        "priority": "normal",
    }
    form.update(data)
    response = client_for(chair).post(reverse("meeting_actions:add", args=[meeting.pk]), form)
    assert response.status_code == 400
    assert message in response.text
    assert "整理客户反馈&lt;b&gt;粗体&lt;/b&gt;" in response.text
    assert not ActionItem.objects.exists()
    assert not ActionOwner.objects.exists()


@pytest.mark.django_db
def test_owner_from_a_forged_id_is_rejected(client_for, chair, meeting):
    response = client_for(chair).post(
        reverse("meeting_actions:add", args=[meeting.pk]),
        {
            "title": "事项",
            "lead_user": 999999,
            "due_date": "2030-04-15",
            "priority": "normal",
        },
    )
    assert response.status_code == 400
    assert not ActionItem.objects.exists()


@pytest.mark.django_db
def test_too_long_note_is_refused_and_kept(client_for, owner):
    action = make_action(lead=owner)
    note = "进展" * 30_000
    response = client_for(owner).post(complete_url(action), {"note": note})
    assert response.status_code == 400
    assert "内容过长" in response.text
    assert note in response.text
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_recorder_adds_a_weekly_item(client_for, chair, owner, meeting):
    # Occurrences run 26 weeks from the meeting's day: held on a Wednesday, that is 26 Fridays (held on
    # a Friday, the day itself would make 27).
    meeting.starts_at = datetime.datetime(2026, 3, 11, 10, tzinfo=timezone.get_default_timezone())
    meeting.save(update_fields=["starts_at"])
    response = client_for(chair).post(
        reverse("meeting_actions:add", args=[meeting.pk]),
        {
            "title": "每周提交直播线索转化进展报告",
            "lead_user": owner.pk,
            "deadline_text": "每周五",
            "checkin_days": 14,
            "priority": "normal",
        },
    )
    assert response.status_code == 302
    action = ActionItem.objects.get()
    assert action.occurrences.count() == 26
    assert action.due_date.weekday() == 4


@pytest.mark.django_db
def test_an_item_with_neither_words_nor_a_date_is_refused(client_for, chair, owner, meeting):
    """The meeting page's form cannot flag an item for a date the way the editor does: it asks."""
    response = client_for(chair).post(
        reverse("meeting_actions:add", args=[meeting.pk]),
        {
            "title": "定期汇报",
            "lead_user": owner.pk,
            "deadline_text": "等领导定",
            "checkin_days": 14,
            "priority": "normal",
        },
    )
    assert response.status_code == 400
    assert "请填写完成日期" in response.text and "等领导定" in response.text
    assert not ActionItem.objects.exists()


@pytest.mark.django_db
def test_the_meeting_page_form_reads_the_words_as_the_editor_does(client_for, chair, owner, meeting):
    response = client_for(chair).post(
        reverse("meeting_actions:add", args=[meeting.pk]),
        {"title": "提交渠道方案", "lead_user": owner.pk, "deadline_text": "两周内", "priority": "normal"},
    )
    assert response.status_code == 302
    action = ActionItem.objects.get()
    assert action.deadline_kind == "relative"
    assert action.due_date == timezone.localdate(meeting.starts_at) + datetime.timedelta(days=14)
