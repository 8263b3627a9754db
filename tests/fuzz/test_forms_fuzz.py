"""Fuzzing every URL that accepts POST with the field names its form knows: the answer is never a server
error (status < 500). The table below must name every such URL in the resolver (admin aside); a new
one fails test_every_post_url_is_fuzzed until it is added. Each example runs in a rolled-back savepoint.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.channel_forms import RobotChannelForm
from actions.filters import ActionFilterForm
from actions.forms import (
    ActionItemForm,
    BulkForm,
    CompleteForm,
    DeadlineDecideForm,
    DeadlineRequestForm,
    NoteForm,
    OwnersForm,
    ProgressForm,
    ReminderPreferenceForm,
    ReviewUpdateForm,
    StatusForm,
)
from actions.models import (
    DeadlineChange,
    Notification,
    Occurrence,
    Reminder,
    RobotChannel,
)
from meetings.forms import AgendaItemForm, AttendanceForm, DecisionForm, MeetingForm, SpeakerReportForm
from meetings.forms_lifecycle import (
    CommentForm,
    FromTemplateForm,
    ReopenForm,
    ReturnForm,
    SeriesForm,
    TemplateNameForm,
)
from meetings.models import Attendance, MeetingSeries, SpeakerReport
from reports.period import PeriodReportForm
from tests.factories import AgendaItemFactory, DecisionFactory, MeetingFactory, UserFactory, make_action
from tests.fuzz.strategies import FUZZ, HUGE_INTS, SPECIAL, TEXT, rolled_back

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Entry:
    fields: tuple = ()  # form classes and extra field names
    user: str = "chair"  # chair (also recorder and lead owner), owner (a supporter), admin, anonymous
    meeting: str = "meeting"  # which of the scenario's meetings the URL names
    query: bool = False  # the view reads its filters from the address: fuzz the query string too
    examples: int = 40
    args: dict | None = None  # URL arguments beyond the scenario's defaults


PDF = Entry(examples=3)
NONE = Entry(examples=10)
EDITOR = Entry(("entity", "pk", "field", "value", "base", "title", "owners", "order"), examples=10)

TABLE = {
    # config
    "home": NONE,
    "login": Entry(("username", "password", "next"), user="anonymous"),
    "logout": Entry(("next",), examples=5),
    "set_language": Entry(("language", "next")),
    # meetings: pages
    "meetings:list": Entry(("q", "status", "page"), query=True),
    "meetings:create": Entry((MeetingForm, "template")),
    "meetings:detail": NONE,
    "meetings:attendance_add": Entry((AttendanceForm,)),
    "meetings:agenda_add": Entry((AgendaItemForm,)),
    "meetings:report_add": Entry((SpeakerReportForm,)),
    "meetings:decision_add": Entry((DecisionForm,)),
    "meeting_actions:add": Entry((ActionItemForm, "lead", "lead_department", "supports", "decisions")),
    # meetings: lifecycle
    "meetings:start": NONE,
    "meetings:submit": NONE,
    "meetings:approve": Entry(("confirm_empty",), meeting="submitted", examples=10),
    "meetings:return": Entry((ReturnForm,), meeting="submitted"),
    "meetings:reopen": Entry((ReopenForm,), meeting="published"),
    "meetings:comment_add": Entry((CommentForm,)),
    "meeting_actions:review_update": Entry((ReviewUpdateForm, "next"), meeting="next"),
    "meetings:agenda_postponed": Entry(("postponed",)),
    "meetings:agenda_postpone": NONE,
    "meetings:save_template": Entry((TemplateNameForm,)),
    "meetings:invite": NONE,
    # meetings: series, templates, calendar
    "meetings:series_create": Entry((SeriesForm,)),
    "meetings:series_edit": Entry((SeriesForm,)),
    "meetings:series_next": NONE,
    "meetings:template_use": Entry((FromTemplateForm,)),
    "meetings:template_delete": NONE,
    "meetings_calendar:calendar": NONE,
    # meetings: the editor (JSON; fuzzed in depth by test_editor_fuzz.py)
    "meetings:editor": NONE,
    "meetings:editor_save": EDITOR,
    "meetings:editor_add": EDITOR,
    "meetings:editor_reorder": EDITOR,
    "meetings:editor_delete": EDITOR,
    "meetings:editor_relogin": NONE,
    "meeting_actions:editor_owners": EDITOR,  # the editor's action items (actions/views/minutes.py)
    # actions
    "actions:complete": Entry((CompleteForm, "next")),
    "actions:progress": Entry((ProgressForm, "next")),
    "actions:note": Entry((NoteForm, "next")),
    "actions:deadline": Entry((DeadlineRequestForm, "next"), user="owner"),
    "actions:status": Entry((StatusForm, "next")),
    "actions:owners": Entry((OwnersForm, "next")),
    "actions:deadline_decide": Entry((DeadlineDecideForm, "next")),
    "actions:occurrence_deliver": Entry(("next",), examples=10),
    "actions:link": Entry((ProgressForm, CompleteForm)),
    "actions:calendar": NONE,
    "actions:reminder_preferences": Entry((ReminderPreferenceForm,)),
    "actions:department": Entry((ActionFilterForm, "page", "sort"), query=True),
    "actions:all": Entry((ActionFilterForm, "page", "sort"), user="admin", query=True),
    "actions:export": Entry((ActionFilterForm,), user="admin", query=True, examples=10),
    "actions:bulk": Entry((BulkForm, "scope", "confirm", "next")),
    "actions:notification_read": Entry(("next",), examples=10),
    "actions:notifications_read_all": NONE,
    "actions:channel_create": Entry((RobotChannelForm,), user="admin"),
    "actions:channel_edit": Entry((RobotChannelForm,), user="admin"),
    "actions:channel_test": Entry(user="admin", examples=3),
    "actions:channel_delete": Entry(user="admin", examples=5),
    "actions:reminder_resend": Entry(("next",), user="admin", examples=10),
    # reports
    "reports:minutes_pdf": PDF,
    "reports:minutes_version_pdf": Entry(meeting="published", examples=3),
    "reports:minutes_docx": PDF,
    "reports:minutes_print": Entry(examples=5),
    "reports:period": Entry((PeriodReportForm,), query=True),
    "reports:job_progress": NONE,
    "reports:job_retry": NONE,
    "reports:job_download": NONE,
}


def allowed_methods(view) -> set[str] | None:
    """The methods a view answers, from its require_http_methods decorator; None when it takes any."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    seen, stack = set(), [view]
    while stack:
        func = stack.pop()
        if id(func) in seen:
            continue
        seen.add(id(func))
        code, cells = getattr(func, "__code__", None), getattr(func, "__closure__", None) or ()
        for name, cell in zip(code.co_freevars if code else (), cells, strict=False):
            if name == "request_method_list":
                return set(cell.cell_contents)
            if callable(cell.cell_contents):
                stack.append(cell.cell_contents)
        if hasattr(func, "__wrapped__"):
            stack.append(func.__wrapped__)
    return None


def post_patterns(resolver=None, namespace=""):
    """(name, pattern) of every URL in the site (admin aside) whose view accepts POST."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from post_patterns(pattern, inner)
        else:
            methods = allowed_methods(pattern.callback)
            if methods is None or "POST" in methods:
                yield f"{namespace}{pattern.name}", pattern


def test_every_post_url_is_fuzzed():
    accepting = {name for name, _p in post_patterns()}
    assert accepting - TABLE.keys() == set(), "POST URLs with no entry in the fuzz table"
    assert TABLE.keys() - accepting == set(), "fuzz table entries that are not POST URLs"


def test_a_get_only_url_is_recognised():
    assert "meetings:history" not in {name for name, _p in post_patterns()}
    assert "meetings:return" in {name for name, _p in post_patterns()}


class Scenario:
    """One of everything a POST URL can name, owned by people who may act on it."""

    def __init__(self, chair, owner, department):
        from actions import links
        from meetings import lifecycle
        from reports import period
        from reports.models import RenderJob

        self.users = {
            "chair": chair,
            "owner": owner,
            "admin": UserFactory(username="admin", name="管理员", is_staff=True, is_superuser=True),
            "anonymous": None,
        }
        self.series = MeetingSeries.objects.create(title="市场部周例会", department=department, chair=chair)
        meeting = MeetingFactory(chair=chair, recorder=chair, department=department, series=self.series)
        self.item = AgendaItemFactory(meeting=meeting, order=1)
        SpeakerReport.objects.create(agenda_item=self.item, speaker=owner, content="汇报")
        self.decision = DecisionFactory(meeting=meeting, agenda_item=self.item)
        self.action = make_action(lead=chair, supports=[owner], meeting=meeting, deadline_text="两周内")
        self.action.decisions.add(self.decision)
        Attendance.objects.create(meeting=meeting, user=owner)
        submitted = MeetingFactory(chair=chair, recorder=owner, department=department, status="submitted")
        AgendaItemFactory(meeting=submitted)
        published = MeetingFactory(chair=chair, recorder=owner, department=department, status="submitted")
        DecisionFactory(meeting=published)
        lifecycle.meeting_publish(meeting=published, by=chair, notify=False)
        later = MeetingFactory(
            chair=chair,
            recorder=chair,
            department=department,
            series=self.series,
            starts_at=timezone.now() + datetime.timedelta(days=7),
        )
        self.meetings = {"meeting": meeting, "submitted": submitted, "published": published, "next": later}
        self.template = lifecycle.meeting_save_as_template(meeting=meeting, by=chair, name="周例会模板")
        self.change = DeadlineChange.objects.create(
            action=self.action, new_due_date=timezone.localdate() + datetime.timedelta(days=30), reason="等待"
        )
        self.occurrence = Occurrence.objects.create(action=self.action, due_date=timezone.localdate())
        self.reminder = Reminder.objects.create(
            action=self.action,
            recipient=chair,
            kind=Reminder.Kind.OVERDUE,
            slot=timezone.localdate(),
            state=Reminder.State.FAILED,
        )
        self.notification = Notification.objects.create(recipient=chair, action=self.action, kind="overdue")
        self.channel = RobotChannel.objects.create(
            name="市场部钉钉群",
            platform="dingtalk",
            department=department,
            webhook_url="http://127.0.0.1:9/robot/send?access_token=x",
        )
        self.job = RenderJob.objects.create(
            kind=period.KIND, params={}, cache_key="0" * 64, state=RenderJob.State.FAILED, requested_by=chair
        )
        self.link = links.make_token(self.action, chair, links.PROGRESS)
        self.version = published.versions.get().number
        self.ids = [str(pk) for pk in (chair.pk, owner.pk, department.pk, self.item.pk, self.action.pk)]

    def url(self, name: str, entry: Entry) -> str:
        meeting = self.meetings[entry.meeting]
        known = {
            "meeting_id": meeting.pk,
            "action_id": self.action.pk,
            "item_id": self.item.pk,
            "number": self.version,
            "series_id": self.series.pk,
            "template_id": self.template.pk,
            "change_id": self.change.pk,
            "occurrence_id": self.occurrence.pk,
            "channel_id": self.channel.pk,
            "reminder_id": self.reminder.pk,
            "notification_id": self.notification.pk,
            "job_id": self.job.pk,
            "token": self.link,
            "kind": "agenda" if name == "meetings:editor_delete" else "action",
            "pk": self.item.pk,
            "fmt": "csv",
            "name": "report",
        }
        pattern = dict(post_patterns())[name]
        kwargs = {key: known[key] for key in pattern.pattern.converters}
        if name == "meeting_actions:review_update":
            kwargs["meeting_id"] = self.meetings["next"].pk
        return reverse(name, kwargs=kwargs | (entry.args or {}))


def field_names(entry: Entry) -> list[str]:
    names = []
    for part in entry.fields:
        names += list(part.base_fields) if isinstance(part, type) else [part]
    return sorted(set(names))


def choice_values(entry: Entry) -> list[str]:
    """The fixed choices of the entry's forms (statuses, kinds, platforms), so valid forms occur too."""
    from django import forms

    found = {"1", "on", "true", "confirm"}
    for part in entry.fields:
        for field in part.base_fields.values() if isinstance(part, type) else ():
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                found |= {
                    str(value) for value, _label in field.choices if not isinstance(_label, list | tuple)
                }
    return sorted(found)


@pytest.fixture
def scene(chair, owner, department):
    return Scenario(chair, owner, department)


def values(scene, entry):
    real = st.sampled_from(scene.ids) | st.sampled_from(choice_values(entry))
    one = TEXT | SPECIAL | real | real | HUGE_INTS.map(str) | st.integers().map(str)
    return one | st.lists(one, min_size=2, max_size=3)


def fuzz(client, scene, name, data):
    entry = TABLE[name]
    path = scene.url(name, entry)
    names = field_names(entry) or ["x"]
    form = data.draw(
        st.dictionaries(st.sampled_from(names) | st.text(max_size=6), values(scene, entry), max_size=8)
    )
    if entry.query:
        query = data.draw(st.dictionaries(st.sampled_from(names), values(scene, entry), max_size=4))
        path += "?" + "&".join(
            f"{k}={v!s}".replace("&", "%26").replace("#", "%23")
            for k, vs in query.items()
            for v in (vs if isinstance(vs, list) else [vs])
        )
    with rolled_back():
        user = scene.users[entry.user]
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        response = client.post(path, form)
    return response.status_code


@pytest.mark.parametrize("name", list(TABLE))
def test_post_urls_with_fuzzed_fields(client, scene, name):
    @settings(FUZZ, max_examples=TABLE[name].examples)
    @given(data=st.data())
    def run(data):
        assert fuzz(client, scene, name, data) < 500

    run()


def post_as(client, user, path, data):
    with rolled_back():
        client.force_login(user)
        return client.post(path, data)


HUGE_ID = str(2**63)  # one past the largest id any table holds


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("actions:owners", {"lead_departments": HUGE_ID, "reason": "转办"}, "lead_departments"),
        ("actions:owners", {"lead_users": [HUGE_ID, "1"]}, "lead_users"),
        ("actions:owners", {"support_departments": str(-(2**63) - 1)}, "support_departments"),
        ("meetings:series_create", {"title": "例会", "participants": HUGE_ID}, "participants"),
        (
            "meeting_actions:add",
            {"title": "整改", "decisions": HUGE_ID, "support_users": HUGE_ID},
            "decisions",
        ),
    ],
)
def test_an_id_beyond_the_database_range_is_refused_with_a_message(client, scene, name, data, field):
    from django.forms import BaseForm

    response = post_as(client, scene.users["chair"], scene.url(name, TABLE[name]), data)
    assert response.status_code == 400
    forms = [v for c in response.context for d in c.dicts for v in d.values() if isinstance(v, BaseForm)]
    forms += [
        f
        for c in response.context
        for d in c.dicts
        for v in d.values()
        if isinstance(v, dict)
        for f in v.values()
        if isinstance(f, BaseForm)
    ]
    errors = [e for form in forms if form.is_bound for e in form.errors.get(field, [])]
    assert any("不是一个有效的值" in e or "有效的选项" in e for e in errors), errors


# 500s found by the fuzz whose fix is in views another change is rewriting; pinned here until then.
# Inputs that once answered 500, kept as cases of their own: a `next` that is no path (redirect() read
# "0" or ":" as a view name; config.redirects.next_url now takes only paths) and bulk ids beyond the
# database's range (BulkForm.items is an IdsChoiceField now).
FORMER_500 = [
    pytest.param(name, user, data, id=f"{name}-{'-'.join(f'{k}={v}' for k, v in data.items())}")
    for name, user, data in [
        ("actions:complete", "chair", {"next": "0"}),
        ("actions:complete", "chair", {"next": ":"}),
        ("actions:complete", "chair", {"next": "2026-03-03T08:00"}),
        ("actions:progress", "chair", {"progress": "50", "next": "0"}),
        ("actions:note", "chair", {"note": "进展", "next": "0"}),
        ("actions:owners", "chair", {"lead_users": "{chair}", "next": "0"}),
        ("actions:occurrence_deliver", "chair", {"next": "0"}),
        ("actions:reminder_resend", "admin", {"next": "0"}),
        ("actions:bulk", "chair", {"items": str(2**63), "operation": "cancel", "reason": "x"}),
        (
            "actions:bulk",
            "chair",
            {"items": "{action}", "operation": "cancel", "reason": "x", "confirm": "1", "next": "0"},
        ),
    ]
]


@pytest.mark.parametrize(("name", "user", "data"), FORMER_500)
def test_former_500_answers_cleanly(client, scene, name, user, data):
    data = {k: v.format(chair=scene.users["chair"].pk, action=scene.action.pk) for k, v in data.items()}
    response = post_as(client, scene.users[user], scene.url(name, TABLE[name]), data)
    assert response.status_code < 500
