"""Every role against every meeting endpoint, and confidential parts kept from those without access.

A refused request answers 404 (never 403, so a meeting's existence is not given away) and changes
nothing; an allowed one does not answer 404.
"""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from icalendar import Calendar

from meetings import lifecycle, policy
from meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingSeries
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.reports.pdf_tools import flat, pdf_text

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
Status = Meeting.Status

ROLES = ("admin", "approver", "head", "chair", "recorder", "participant", "owner", "member", "outsider")
VIEW = {"admin", "approver", "head", "chair", "recorder", "participant", "owner"}
FULL = {"admin", "approver", "head", "chair", "recorder", "participant"}
EDITORS = {"admin", "head", "chair", "recorder"}
APPROVERS = {"admin", "approver", "head", "chair"}


class Scenario:
    """One meeting of a weekly series, with one person in each role.

    The organising department (华东销售组) sits under 销售部, whose head is the "head": heads see their
    sub-departments' meetings. "member" works in the organising department but was not invited;
    "outsider" works elsewhere. The meeting has a confidential agenda item and decision."""

    def __init__(self, *, status: str, visibility: str = Meeting.Visibility.PARTICIPANTS):
        sales = DepartmentFactory(name="销售部")
        east = DepartmentFactory(name="华东销售组", parent=sales)
        other = DepartmentFactory(name="研发部")
        u = self.users = {
            "admin": UserFactory(name="管理员", is_staff=True),
            "approver": UserFactory(name="刘洋", department=other),
            "head": UserFactory(name="周总", department=sales),
            "chair": UserFactory(name="张伟", department=east),
            "recorder": UserFactory(name="陈静", department=east),
            "participant": UserFactory(name="王芳", department=east),
            "owner": UserFactory(name="李明", department=other),
            "member": UserFactory(name="孙丽", department=east),
            "outsider": UserFactory(name="赵磊", department=other),
        }
        u["approver"].user_permissions.add(Permission.objects.get(codename="approve_meeting"))
        sales.head = u["head"]
        sales.save()
        series = MeetingSeries.objects.create(
            title="华东销售周例会",
            recurrence="weekly",
            weekday=0,
            first_date=datetime.date(2026, 1, 5),
            start_time=datetime.time(9, 30),
        )
        previous = MeetingFactory(
            series=series, chair=u["chair"], starts_at=datetime.datetime(2026, 1, 5, 9, 30, tzinfo=SHANGHAI)
        )
        self.carried = make_action(lead=u["participant"], meeting=previous, title="上周遗留事项")
        self.meeting = m = MeetingFactory(
            title="华东销售周例会(1月12日)",
            series=series,
            starts_at=datetime.datetime(2026, 1, 12, 9, 30, tzinfo=SHANGHAI),
            chair=u["chair"],
            recorder=u["recorder"],
            created_by=u["recorder"],
            department=east,
            visibility=visibility,
        )
        for role in ("chair", "recorder", "participant"):
            Attendance.objects.create(meeting=m, user=u[role], role=role)
        AgendaItem.objects.create(meeting=m, title="上次会议行动项回顾", kind="review", order=1)
        self.topic = AgendaItem.objects.create(meeting=m, title="渠道费用复盘", order=2)
        secret_item = AgendaItem.objects.create(
            meeting=m, title="人事调整安排", order=3, is_confidential=True
        )
        open_decision = Decision.objects.create(meeting=m, number=1, text="同意渠道费用方案")
        secret_decision = Decision.objects.create(
            meeting=m, number=2, text="撤销苏州办事处", is_confidential=True, agenda_item=secret_item
        )
        visible_action = make_action(lead=u["owner"], meeting=m, title="整理渠道费用明细")
        visible_action.decisions.add(open_decision)
        secret_action = make_action(lead=u["participant"], meeting=m, title="办事处人员安置方案")
        secret_action.decisions.add(secret_decision)
        self.secrets = ("人事调整安排", "撤销苏州办事处", "办事处人员安置方案")
        fields = {"status": status}
        if status in (Status.SUBMITTED, Status.PUBLISHED):
            fields["submitted_by"] = u["recorder"]
        Meeting.objects.filter(pk=m.pk).update(**fields)
        m.refresh_from_db()
        if status == Status.PUBLISHED:
            Meeting.objects.filter(pk=m.pk).update(status=Status.SUBMITTED)
            lifecycle.meeting_publish(meeting=m, by=u["chair"])
            m.refresh_from_db()

    def snapshot(self):
        m = Meeting.objects.get(pk=self.meeting.pk)
        return (
            m.status,
            m.title,
            m.versions.count(),
            m.comments.count(),
            m.agenda_items.count(),
            AgendaItem.objects.get(pk=self.topic.pk).is_postponed,
            m.notices.count(),
            type(self.carried).objects.get(pk=self.carried.pk).progress,
            m.series.meetings.count(),
        )


def _url(name, s, *extra):
    namespace = "meeting_actions" if name == "review_update" else "meetings"
    return reverse(f"{namespace}:{name}", args=[s.meeting.pk, *extra])


# name: (method, status the meeting is in, url, data, roles allowed)
ENDPOINTS = {
    "detail": ("get", Status.DRAFT, lambda s: _url("detail", s), None, VIEW),
    "history": ("get", Status.DRAFT, lambda s: _url("history", s), None, VIEW),
    "versions": ("get", Status.PUBLISHED, lambda s: _url("versions", s), None, VIEW),
    "version_snapshot": ("get", Status.PUBLISHED, lambda s: _url("version_snapshot", s, 1), None, VIEW),
    "ics": ("get", Status.DRAFT, lambda s: _url("ics", s), None, VIEW),
    "pdf": ("get", Status.DRAFT, lambda s: reverse("reports:minutes_pdf", args=[s.meeting.pk]), None, VIEW),
    "comment_add": ("post", Status.DRAFT, lambda s: _url("comment_add", s), {"text": "请补充"}, FULL),
    "start": ("post", Status.DRAFT, lambda s: _url("start", s), {}, EDITORS),
    "submit": ("post", Status.IN_PROGRESS, lambda s: _url("submit", s), {}, EDITORS),
    "agenda_add_draft": (
        "post",
        Status.IN_PROGRESS,
        lambda s: _url("agenda_add", s),
        {"title": "新议题", "day": 1},
        EDITORS,
    ),
    "agenda_add_submitted": (
        "post",
        Status.SUBMITTED,
        lambda s: _url("agenda_add", s),
        {"title": "新议题", "day": 1},
        {"admin", "head", "chair"},
    ),
    "agenda_add_published": (
        "post",
        Status.PUBLISHED,
        lambda s: _url("agenda_add", s),
        {"title": "新议题", "day": 1},
        set(),
    ),
    "approve": ("post", Status.SUBMITTED, lambda s: _url("approve", s), {}, APPROVERS),
    "return": ("post", Status.SUBMITTED, lambda s: _url("return", s), {"comment": "请修改"}, APPROVERS),
    "reopen": ("post", Status.PUBLISHED, lambda s: _url("reopen", s), {"reason": "更正"}, APPROVERS),
    "postponed": (
        "post",
        Status.IN_PROGRESS,
        lambda s: _url("agenda_postponed", s, s.topic.pk),
        {"postponed": "1"},
        EDITORS,
    ),
    "postpone": ("post", Status.IN_PROGRESS, lambda s: _url("agenda_postpone", s), {}, EDITORS | APPROVERS),
    "review_update": (
        "post",
        Status.IN_PROGRESS,
        lambda s: _url("review_update", s, s.carried.pk),
        {"progress": "50"},
        EDITORS,
    ),
    "save_template": ("post", Status.DRAFT, lambda s: _url("save_template", s), {"name": "模板"}, FULL),
    "invite": ("post", Status.DRAFT, lambda s: _url("invite", s), {}, EDITORS),
}

CASES = [(role, name) for name in ENDPOINTS for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "endpoint"), CASES, ids=[f"{r}-{e}" for r, e in CASES])
def test_endpoint_answers_each_role_as_the_policy_says(client, role, endpoint):
    method, status, url, data, allowed = ENDPOINTS[endpoint]
    s = Scenario(status=status)
    if endpoint == "postpone":
        AgendaItem.objects.filter(pk=s.topic.pk).update(is_postponed=True)
    client.force_login(s.users[role])
    before = s.snapshot()
    response = getattr(client, method)(url(s), data) if method == "post" else client.get(url(s))
    if role in allowed:
        assert response.status_code != 404, response.content[:300]
        assert response.status_code < 500
    else:
        assert response.status_code == 404
        assert s.snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_an_open_meeting_lets_every_member_of_the_organisation_read_but_not_comment(client, role):
    s = Scenario(status=Status.DRAFT, visibility=Meeting.Visibility.ORGANISATION)
    client.force_login(s.users[role])
    page = client.get(_url("detail", s))
    assert page.status_code == 200  # everyone signed in, member and outsider included
    comment = client.post(_url("comment_add", s), {"text": "路过"})
    assert (comment.status_code == 404) == (role not in FULL)


@pytest.mark.django_db
def test_a_confidential_meeting_is_hidden_from_item_owners_even_when_open(client):
    s = Scenario(status=Status.DRAFT, visibility=Meeting.Visibility.ORGANISATION)
    Meeting.objects.filter(pk=s.meeting.pk).update(is_confidential=True)
    for role in ROLES:
        client.force_login(s.users[role])
        expected = 200 if role in FULL else 404
        assert client.get(_url("detail", s)).status_code == expected, role
        listed = s.meeting.title in client.get(reverse("meetings:list")).text
        assert listed == (role in FULL), role


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "member"])
def test_confidential_parts_are_absent_from_page_pdf_history_and_calendar(client, role):
    s = Scenario(status=Status.DRAFT, visibility=Meeting.Visibility.ORGANISATION)
    client.force_login(s.users[role])
    page = client.get(_url("detail", s)).text
    pdf = flat(pdf_text(client.get(reverse("reports:minutes_pdf", args=[s.meeting.pk])).content))
    history = client.get(_url("history", s)).text
    ics = str(Calendar.from_ical(client.get(_url("ics", s)).content).walk("VEVENT")[0]["DESCRIPTION"])
    assert "渠道费用复盘" in page and "同意渠道费用方案" in page and "渠道费用复盘" in pdf
    for secret in s.secrets:
        assert secret not in page, secret
        assert secret not in pdf, secret
        assert secret not in history, secret
    assert "人事调整安排" not in ics and "渠道费用复盘" in ics


@pytest.mark.django_db
def test_participants_see_the_confidential_parts(client):
    s = Scenario(status=Status.DRAFT)
    client.force_login(s.users["participant"])
    page = client.get(_url("detail", s)).text
    assert all(secret in page for secret in s.secrets)


@pytest.mark.django_db
def test_e_mails_leave_confidential_parts_out(django_capture_on_commit_callbacks):
    from meetings import notifications
    from meetings.models import MeetingNotice

    s = Scenario(status=Status.SUBMITTED, visibility=Meeting.Visibility.ORGANISATION)
    lifecycle.meeting_publish(meeting=s.meeting, by=s.users["chair"])
    participant = notifications.build_message(
        MeetingNotice.objects.get(meeting=s.meeting, recipient=s.users["participant"])
    )
    assert "撤销苏州办事处" in participant.body  # full access: the decision is listed
    # Someone without full access (say, a participant removed from the list later) gets no secrets.
    owner_notice = MeetingNotice.objects.create(
        meeting=s.meeting, recipient=s.users["owner"], kind="published", key="v1"
    )
    owner_mail = notifications.build_message(owner_notice)
    assert "同意渠道费用方案" in owner_mail.body
    for text in (owner_mail.body, owner_mail.alternatives[0][0]):
        assert "撤销苏州办事处" not in text and "人事调整安排" not in text

    Meeting.objects.filter(pk=s.meeting.pk).update(is_confidential=True)
    secret_mail = notifications.build_message(
        MeetingNotice.objects.get(meeting=s.meeting, recipient=s.users["participant"])
    )
    for text in (secret_mail.body, secret_mail.alternatives[0][0]):
        assert "同意渠道费用方案" not in text and "撤销苏州办事处" not in text
        assert "机密会议" in text


@pytest.mark.django_db
def test_access_roles_match_the_table():
    s = Scenario(status=Status.IN_PROGRESS)
    expected = {
        "admin": {"admin"},
        "approver": {"approver"},
        "head": {"head"},
        "chair": {"chair", "participant"},
        "recorder": {"recorder", "participant"},
        "participant": {"participant"},
        "owner": {"owner"},
        "member": set(),
        "outsider": set(),
    }
    for role, roles in expected.items():
        assert policy.access(s.users[role], s.meeting).roles == roles, role
    assert policy.can_edit_meeting(s.users["recorder"], s.meeting)
    assert not policy.can_approve_meeting(s.users["chair"], s.meeting)  # not submitted yet
    assert policy.can_see_confidential(s.users["participant"], s.meeting)
    assert not policy.can_see_confidential(s.users["owner"], s.meeting)


@pytest.mark.django_db
def test_new_meetings_are_for_participants_only_by_default(client_for, owner, outsider):
    response = client_for(owner).post(
        reverse("meetings:create"),
        {"title": "渠道策略讨论", "kind": "topic", "starts_at": "2026-12-01T14:00"},
    )
    meeting = Meeting.objects.get(title="渠道策略讨论")
    assert response.status_code == 302
    assert meeting.visibility == Meeting.Visibility.PARTICIPANTS
    assert client_for(outsider).get(meeting.get_absolute_url()).status_code == 404
