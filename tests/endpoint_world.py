"""The world the endpoint matrix (tests/test_endpoint_matrix.py) runs in: one person per role and two
slices of meetings, "ordinary" and "confidential", each with everything some endpoint needs.

People (the same for both slices):
- chair, recorder, participant work in 华东销售组 (the organising department), which sits under 销售部;
- org_head heads 销售部, so the organising department too;
- lead (市场部) leads the slice's items and support (研发部) supports them; neither attends;
- lead_head heads 市场部, the lead owner's department;
- outsider works in 财务部 and has nothing to do with anything; staff is an administrator.

Each slice: a series with a previous, published meeting that holds a carried-over open item; the current
meeting of the series (with a review agenda item, a topic, a confidential agenda item, a speaker report,
an open and a confidential decision, an item A with lead and support owners serving the open decision,
an item S serving the confidential one, an item R with a pending deadline change request, an occurrence
and a progress entry with an attachment on A and on S); published versions, reopened (v1, and v2 of the
ordinary meeting); a notification, a signed link and a failed reminder for the lead; a robot channel of
the series; a template saved from the meeting; a finished and a failed minutes render of the chair.

- "ordinary": open to the organisation, not confidential; the minutes are being taken (进行中).
- "confidential": 机密, participants only; the minutes have been submitted by the recorder (待审批), so
  the recorder's right to edit ends here.
"""

import datetime
import hashlib
import uuid
import zoneinfo
from types import SimpleNamespace

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from actions import calendar as action_calendar
from actions import links, services
from actions.models import Notification, Occurrence, Reminder, RobotChannel
from meetings import lifecycle
from meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingSeries, SpeakerReport
from reports.models import RenderJob
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)  # a Tuesday, the day after the meetings

ROLES = (
    "anonymous",
    "outsider",
    "lead",
    "support",
    "participant",
    "recorder",
    "chair",
    "org_head",
    "lead_head",
    "staff",
)
KINDS = ("ordinary", "confidential")

TEXTS = {
    "ordinary": {
        "series": "华东销售周例会",
        "previous": "华东销售周例会(3月2日)",
        "meeting": "华东销售周例会(3月9日)",
        "carried": "上周遗留:经销商返利核对",
        "topic": "渠道费用复盘",
        "secret_agenda": "人事调整安排",
        "report": "一季度渠道费用超支百分之八",
        "d1": "同意渠道费用方案",
        "d2": "撤销苏州办事处",
        "item": "整理渠道费用明细",
        "secret_item": "办事处人员安置方案",
        "requested": "策划行业直播",
    },
    "confidential": {
        "series": "并购项目保密周会",
        "previous": "并购项目保密会(3月2日)",
        "meeting": "并购项目保密会(3月9日)",
        "carried": "上周遗留:估值模型复核",
        "topic": "并购谈判进展",
        "secret_agenda": "核心团队留任安排",
        "report": "对方接受百分之六十股权方案",
        "d1": "同意并购报价区间",
        "d2": "裁撤重复岗位",
        "item": "整理并购尽调清单",
        "secret_item": "岗位裁撤沟通方案",
        "requested": "准备董事会汇报",
    },
}

# The roles with full access to both meetings (meetings.policy.FULL_ACCESS): attend, record, chair,
# head the organising department, administer.
FULL = frozenset({"participant", "recorder", "chair", "org_head", "staff"})
# Who answers for the confidential slice's items (A, R, the carried item) without seeing the meeting.
ITEM_PEOPLE = frozenset({"lead", "support", "lead_head"})


def forbidden_texts(role: str, kind: str) -> tuple[str, ...]:
    """What a response to `role` must never contain about the `kind` slice.

    Confidential parts (the confidential agenda item, decision and the item serving it) are for full
    access only. Of the confidential meeting, the item people may see their items and what the item page
    shows of the meeting, nothing else; everyone else sees nothing of it at all."""
    if role in FULL:
        return ()
    t = TEXTS[kind]
    texts = [t["secret_agenda"], t["d2"], t["secret_item"], t["report"]]
    if kind == "confidential":
        texts.append(t["topic"])
        if role not in ITEM_PEOPLE:
            texts += [
                t["series"],
                t["meeting"],
                t["previous"],
                t["d1"],
                t["item"],
                t["requested"],
                t["carried"],
            ]
    return tuple(texts)


class World:
    def __init__(self):
        sales = DepartmentFactory(name="销售部")
        east = DepartmentFactory(name="华东销售组", parent=sales)
        market = DepartmentFactory(name="市场部")
        rnd = DepartmentFactory(name="研发部")
        finance = DepartmentFactory(name="财务部")
        self.departments = SimpleNamespace(sales=sales, east=east, market=market, rnd=rnd, finance=finance)
        u = self.users = {
            "anonymous": None,
            "outsider": UserFactory(name="赵磊", department=finance),
            "lead": UserFactory(name="王芳", department=market),
            "support": UserFactory(name="李明", department=rnd),
            "participant": UserFactory(name="孙丽", department=east),
            "recorder": UserFactory(name="陈静", department=east),
            "chair": UserFactory(name="张伟", department=east),
            "org_head": UserFactory(name="周总", department=sales),
            "lead_head": UserFactory(name="刘洋", department=market),
            "staff": UserFactory(name="管理员", is_staff=True),
        }
        sales.head = u["org_head"]
        sales.save()
        market.head = u["lead_head"]
        market.save()
        # Each user's calendar token exists already: opening the settings page creates nothing.
        self.feeds = {role: action_calendar.calendar_feed_for(user=user) for role, user in u.items() if user}
        # One token that was reset: its old URL must answer 404.
        self.old_token = self.feeds["lead"].token
        self.feeds["lead"] = action_calendar.calendar_feed_reset(user=u["lead"])
        self.k = {kind: self._slice(kind) for kind in KINDS}

    def other(self, kind: str) -> SimpleNamespace:
        return self.k[KINDS[1 - KINDS.index(kind)]]

    def _slice(self, kind: str) -> SimpleNamespace:
        u, t = self.users, TEXTS[kind]
        confidential = kind == "confidential"
        visibility = Meeting.Visibility.PARTICIPANTS if confidential else Meeting.Visibility.ORGANISATION
        s = SimpleNamespace(kind=kind, texts=t)
        s.series = MeetingSeries.objects.create(
            title=t["series"],
            recurrence="weekly",
            weekday=0,
            first_date=datetime.date(2026, 1, 5),
            start_time=datetime.time(9, 30),
            department=self.departments.east,
            chair=u["chair"],
            recorder=u["recorder"],
            visibility=visibility,
        )
        s.series.participants.set([u["chair"], u["recorder"], u["participant"]])
        people = {
            "chair": u["chair"],
            "recorder": u["recorder"],
            "created_by": u["recorder"],
            "department": self.departments.east,
            "visibility": visibility,
            "is_confidential": confidential,
            "series": s.series,
        }
        s.previous = MeetingFactory(
            title=t["previous"],
            starts_at=datetime.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI),
            ends_at=datetime.datetime(2026, 3, 2, 11, 0, tzinfo=SHANGHAI),
            **people,
        )
        s.carried = make_action(
            lead=u["lead"], supports=[u["support"]], meeting=s.previous, title=t["carried"]
        )
        services.action_update_progress(action=s.carried, by=u["lead"], progress=30)
        Meeting.objects.filter(pk=s.previous.pk).update(status=Meeting.Status.PUBLISHED)

        m = s.meeting = MeetingFactory(
            title=t["meeting"],
            starts_at=datetime.datetime(2026, 3, 9, 9, 30, tzinfo=SHANGHAI),
            ends_at=datetime.datetime(2026, 3, 9, 11, 30, tzinfo=SHANGHAI),
            status=Meeting.Status.SUBMITTED,
            submitted_by=u["recorder"],
            **people,
        )
        for role in ("chair", "recorder", "participant"):
            Attendance.objects.create(meeting=m, user=u[role], role=role)
        s.review = AgendaItem.objects.create(meeting=m, title="上次会议行动项回顾", kind="review", order=1)
        s.topic = AgendaItem.objects.create(meeting=m, title=t["topic"], order=2)
        s.secret_agenda = AgendaItem.objects.create(
            meeting=m, title=t["secret_agenda"], order=3, is_confidential=True
        )
        s.report = SpeakerReport.objects.create(
            agenda_item=s.secret_agenda, speaker=u["chair"], content=t["report"]
        )
        s.d1 = Decision.objects.create(meeting=m, number=1, text=t["d1"], agenda_item=s.topic)
        s.d2 = Decision.objects.create(
            meeting=m, number=2, text=t["d2"], is_confidential=True, agenda_item=s.secret_agenda
        )
        s.item = make_action(
            lead=u["lead"],
            supports=[u["support"]],
            meeting=m,
            title=t["item"],
            due_date=datetime.date(2026, 3, 31),
        )
        s.item.decisions.add(s.d1)
        s.secret_item = make_action(
            lead=u["participant"], meeting=m, title=t["secret_item"], due_date=datetime.date(2026, 3, 31)
        )
        s.secret_item.decisions.add(s.d2)
        s.requested = make_action(
            lead=u["lead"],
            supports=[u["support"]],
            meeting=m,
            title=t["requested"],
            due_date=datetime.date(2026, 3, 20),
        )
        s.pending = services.deadline_change_request(
            action=s.requested,
            by=u["lead"],
            new_due_date=datetime.date(2026, 4, 20),
            reason="场地未定",
            approved=False,
        )
        s.occurrence = Occurrence.objects.create(action=s.item, due_date=datetime.date(2026, 3, 13))
        s.entry = services.action_add_note(
            action=s.item, by=u["lead"], note="初稿", attachment=SimpleUploadedFile("初稿.txt", b"draft")
        )
        s.secret_entry = services.action_add_note(
            action=s.secret_item,
            by=u["participant"],
            note="名单",
            attachment=SimpleUploadedFile("名单.txt", b"names"),
        )
        s.notification = Notification.objects.create(recipient=u["lead"], action=s.item, kind="overdue")
        s.link = links.make_token(s.item, u["lead"], links.COMPLETE)
        s.reminder = Reminder.objects.create(
            action=s.item,
            recipient=u["lead"],
            kind=Reminder.Kind.OVERDUE,
            slot=datetime.date(2026, 3, 9),
            state=Reminder.State.FAILED,
            error="SMTP 550",
        )
        s.channel = RobotChannel.objects.create(
            name=f"{t['series']}群",
            platform="wecom",
            series=s.series,
            webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix",
        )
        # Published and reopened: v1 exists (and v2 of the ordinary meeting, so that the confidential
        # meeting has a version number that only another meeting has). The confidential minutes were
        # then submitted again.
        for _version in range(1 if confidential else 2):
            Meeting.objects.filter(pk=m.pk).update(
                status=Meeting.Status.SUBMITTED, submitted_by=u["recorder"]
            )
            lifecycle.meeting_publish(meeting=m, by=u["chair"], notify=False)
            lifecycle.meeting_reopen(meeting=m, by=u["chair"], reason="补充出席情况")
        if confidential:
            lifecycle.meeting_submit(meeting=m, by=u["recorder"])
        m.refresh_from_db()
        s.template = lifecycle.meeting_save_as_template(meeting=m, by=u["chair"], name=t["meeting"])
        s.job_done, s.job_failed = self._jobs(m)
        return s

    def _jobs(self, meeting):
        params = {"meeting": meeting.pk, "full_access": True, "version": None, "filename": "minutes.pdf"}
        name = default_storage.save(f"renders/{uuid.uuid4().hex}.pdf", ContentFile(b"%PDF-1.4 matrix"))
        done = RenderJob.objects.create(
            kind="minutes_pdf",
            params=params,
            cache_key=uuid.uuid4().hex,
            state=RenderJob.State.DONE,
            progress=100,
            outputs={
                "pdf": {
                    "name": name,
                    "filename": "minutes.pdf",
                    "content_type": "application/pdf",
                    "size": 15,
                }
            },
            requested_by=self.users["chair"],
        )
        failed = RenderJob.objects.create(
            kind="minutes_pdf",
            params={**params, "filename": "again.pdf"},
            cache_key=uuid.uuid4().hex,
            state=RenderJob.State.FAILED,
            error="failed",
            requested_by=self.users["chair"],
        )
        return done, failed


SNAPSHOT_APPS = ("meetings", "actions", "reports")


def snapshot() -> dict[str, tuple[int, str]]:
    """Every row of every table of our apps (m2m tables included): (count, hash) per model."""
    state = {}
    with connection.cursor() as cursor:
        for model, sql in _snapshot_queries():
            cursor.execute(sql)
            rows = cursor.fetchall()
            state[model] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


_QUERIES: list[tuple[str, str]] = []


def _snapshot_queries() -> list[tuple[str, str]]:
    """SELECT every column of every table, in primary-key order (raw SQL: the ORM's cost, 35 times
    per snapshot and two snapshots per refused case, would be most of the matrix's run time)."""
    if not _QUERIES:
        quote = connection.ops.quote_name
        for label in SNAPSHOT_APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                _QUERIES.append((model._meta.label, f"SELECT {columns} FROM {table} ORDER BY {pk}"))
    return _QUERIES


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))
