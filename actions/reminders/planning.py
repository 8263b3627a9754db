"""Planning: which reminders are due now, as rows.

A pass (every 10 minutes, from beat) works out, for each recipient's "today", which reminders the rules
(actions/reminders/rules.py) say are due, inserts one row per (item, kind, recipient, slot) with
ON CONFLICT DO NOTHING, and enqueues a send task for each row it inserted, after commit. The unique
key makes any number of concurrent or repeated passes safe. Each pass also re-enqueues rows whose task
never ran (the broker was down) and rows claimed by a worker that died (stale claims); the outbox sweep
does the same between passes (`recover`).
"""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import (
    ActionItem,
    ActionOwner,
    DeadlineKind,
    ProgressEntry,
    Reminder,
    ReminderPreference,
    ReminderSweep,
    Status,
)
from actions.reminders import rules
from actions.reminders.sending import enqueue_after_commit
from meetings.models import Department, User

logger = logging.getLogger(__name__)

Kind, State = Reminder.Kind, Reminder.State
LEAD = ActionOwner.Role.LEAD
# How far back a pass that is not the day's first looks for changed items: covers a transaction that
# committed just after the previous pass read the table.
INCREMENTAL_MARGIN = datetime.timedelta(minutes=2)


@dataclass(frozen=True, order=True)
class Planned:
    """One reminder the policy says is due now. `detail` is the days left / overdue / idle, or the
    escalation level; `why` says which rule fired, for --dry-run and the logs."""

    action_id: int
    kind: str
    recipient_id: int
    slot: datetime.date
    due_date: datetime.date | None = field(compare=False)
    detail: int = field(compare=False, default=0)
    why: str = field(compare=False, default="")
    planned_on: datetime.date | None = field(compare=False, default=None)


@dataclass
class PlanResult:
    planned: list[Planned]
    new_ids: list[int]
    recovered_ids: list[int]


@dataclass
class _Zone:
    """One time zone's state in a pass: its today, and whether this is the day's first pass."""

    name: str
    day: datetime.date
    full: bool
    since: datetime.datetime | None
    last_planned_day: datetime.date | None


class _Planner:
    def __init__(self, now: datetime.datetime):
        self.now = now
        self.default_tz = rules.conf("TIME_ZONE")
        # user_id → (mode, support_reminders, time_zone); users without a row use the defaults.
        self.prefs = {
            row[0]: row[1:]
            for row in ReminderPreference.objects.values_list(
                "user_id", "mode", "support_reminders", "time_zone"
            )
        }
        self.zones = self._zones()
        self.rules = rules.RulesByDepartment.load()
        self.departments = dict(Department.objects.values_list("pk", "head_id"))
        self.parents = self.rules.parents
        self.inactive = set(User.objects.filter(is_active=False).values_list("pk", flat=True))

    def _zones(self) -> dict[str, _Zone]:
        names = {self.default_tz, *(tz for _m, _s, tz in self.prefs.values())}
        days = {name: rules.planning_day(self.now, name) for name in names}
        days = {name: day for name, day in days.items() if day is not None}
        if not days:
            return {}
        sweeps = defaultdict(dict)
        earliest = min(days.values()) - datetime.timedelta(days=8)
        for tz, day, last in ReminderSweep.objects.filter(time_zone__in=days, day__gte=earliest).values_list(
            "time_zone", "day", "last_pass_at"
        ):
            sweeps[tz][day] = last
        zones = {}
        for name, day in days.items():
            today_sweep = sweeps[name].get(day)
            before = [d for d in sweeps[name] if d < day]
            zones[name] = _Zone(
                name=name,
                day=day,
                full=today_sweep is None,
                since=None if today_sweep is None else today_sweep - INCREMENTAL_MARGIN,
                last_planned_day=max(before) if before else None,
            )
        return zones

    def zone_of(self, user_id: int) -> _Zone | None:
        pref = self.prefs.get(user_id)
        return self.zones.get(pref[2] if pref else self.default_tz)

    def wants_individual(self, user_id: int, role: str) -> bool:
        mode, support, _tz = self.prefs.get(user_id, (ReminderPreference.Mode.INDIVIDUAL, False, None))
        if mode == ReminderPreference.Mode.DIGEST:
            return False
        return role == LEAD or support

    def head_above(self, department_id: int | None, not_user: int | None) -> int | None:
        """The head of the department, or of the nearest department above it when that head is
        `not_user` (a head's own overdue item escalates to their superior)."""
        seen = set()
        while department_id is not None and department_id not in seen:
            seen.add(department_id)
            head = self.departments.get(department_id)
            if head is not None and head != not_user:
                return head
            department_id = self.parents.get(department_id)
        return None

    # The items -------------------------------------------------------------------------------------

    def candidates(self):
        """Open items any rule could fire for, in batches of BATCH_SIZE by primary key."""
        if not self.zones:
            return
        latest_day = max(z.day for z in self.zones.values())
        ahead = self.rules.max_upcoming_days()
        queryset = ActionItem.objects.open().filter(
            Q(due_date__lte=latest_day + datetime.timedelta(days=ahead))
            | Q(due_date__isnull=True, deadline_kind=DeadlineKind.ONGOING)
        )
        if not any(z.full for z in self.zones.values()):
            queryset = queryset.filter(updated_at__gte=min(z.since for z in self.zones.values()))
        last_pk, size = 0, rules.conf("BATCH_SIZE")
        while True:
            batch = list(
                queryset.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list(
                    "pk",
                    "due_date",
                    "deadline_kind",
                    "checkin_days",
                    "created_at",
                    "updated_at",
                    "meeting__chair_id",
                )[:size]
            )
            if not batch:
                return
            yield batch
            last_pk = batch[-1][0]

    def plan_items(self) -> list[Planned]:
        rows: list[Planned] = []
        for batch in self.candidates():
            ids = [item[0] for item in batch]
            owners = defaultdict(list)
            for action_id, role, user_id, department_id, user_department_id in ActionOwner.objects.filter(
                action_id__in=ids
            ).values_list("action_id", "role", "user_id", "department_id", "user__department_id"):
                owners[action_id].append((role, user_id, department_id, user_department_id))
            ongoing = [item[0] for item in batch if item[1] is None]
            last_entry = (
                dict(
                    ProgressEntry.objects.filter(action_id__in=ongoing)
                    .values("action_id")
                    .annotate(last=Max("created_at"))
                    .values_list("action_id", "last")
                )
                if ongoing
                else {}
            )
            for item in batch:
                rows.extend(self.plan_item(item, owners[item[0]], last_entry.get(item[0])))
        return rows

    def plan_item(self, item, owners, last_entry) -> list[Planned]:
        action_id, due, deadline_kind, checkin_days, created_at, updated_at, chair_id = item
        leads, answering = [], []  # (user_id, role); leads also feed escalation
        for role, user_id, department_id, user_department_id in owners:
            # A department owner is answered for by its head.
            person = user_id if user_id is not None else self.departments.get(department_id)
            home = user_department_id if user_id is not None else department_id
            if role == LEAD:
                # Escalate even when the lead has left: that is when a manager must step in.
                leads.append((person, home, department_id is not None))
            if person is not None and person not in self.inactive:
                answering.append((person, role))
        item_rules = self.rules.for_department(rules.item_department(owners))
        out = []
        seen = set()
        for person, role in answering:
            if person in seen or not self.wants_individual(person, role):
                continue
            seen.add(person)
            zone = self.zone_of(person)
            if zone is None or not (zone.full or updated_at >= zone.since):
                continue
            if due is not None:
                hit = rules.owner_slot(zone.day, due, item_rules)
            elif deadline_kind == DeadlineKind.ONGOING:
                last = timezone.localtime(last_entry or created_at, rules.zone(zone.name)).date()
                hit = rules.checkin_slot(zone.day, last, checkin_days, item_rules)
            else:
                hit = None
            if hit:
                out.append(Planned(action_id, hit[0], person, hit[1], due, hit[2], _why(hit, role), zone.day))
        if due is None:
            return out
        lead_ids = {person for person, _home, _dept in leads}
        managers = []
        for person, home, is_department in leads:
            # A lead department's head is already an owner: escalate to the department above.
            start = self.parents.get(home) if is_department else home
            managers.append(self.head_above(start, not_user=person))
        managers.append(chair_id)
        for person in dict.fromkeys(managers):
            if person is None or person in lead_ids or person in self.inactive:
                continue
            zone = self.zone_of(person)
            if zone is None or not (zone.full or updated_at >= zone.since):
                continue
            hit = rules.escalation_slot(zone.day, due, item_rules)
            if hit:
                out.append(
                    Planned(action_id, hit[0], person, hit[1], due, hit[2], _why(hit, "manager"), zone.day)
                )
        return out

    def plan_digests(self) -> list[Planned]:
        """The weekly digest, on a zone's first pass of the day, for each person with open items."""
        slots = {}
        for name, zone in self.zones.items():
            hit = zone.full and rules.digest_slot(zone.day, self.rules.default, zone.last_planned_day)
            if hit:
                slots[name] = hit
        if not slots:  # most days: no need to list everyone with open items
            return []
        people = set()
        for user_id, head_id in (
            ActionOwner.objects.filter(action__status__in=(Status.NOT_STARTED, Status.IN_PROGRESS))
            .values_list("user_id", "department__head_id")
            .distinct()
        ):
            people.add(user_id if user_id is not None else head_id)
        rows = []
        for person in sorted(p for p in people if p is not None and p not in self.inactive):
            zone = self.zone_of(person)
            hit = slots.get(zone.name) if zone else None
            if hit:
                rows.append(Planned(0, hit[0], person, hit[1], None, 0, _("每周一汇总"), zone.day))
        return rows

    def record_sweeps(self) -> None:
        ReminderSweep.objects.bulk_create(
            [ReminderSweep(time_zone=z.name, day=z.day, last_pass_at=self.now) for z in self.zones.values()],
            ignore_conflicts=True,
        )
        for zone in self.zones.values():
            ReminderSweep.objects.filter(time_zone=zone.name, day=zone.day).update(last_pass_at=self.now)


def _why(hit, role: str) -> str:
    kind, slot, detail = hit
    who = {"lead": _("牵头人"), "support": _("配合人"), "manager": _("升级对象")}[role]
    values = {"who": who, "days": detail, "level": detail, "slot": slot}
    if kind == Kind.UPCOMING:
        return (
            ngettext(
                "%(who)s:还有%(days)s天到期(计划日 %(slot)s)",
                "%(who)s:还有%(days)s天到期(计划日 %(slot)s)",
                detail,
            )
            % values
        )
    if kind == Kind.DUE_TODAY:
        return _("%(who)s:今天到期") % values
    if kind == Kind.OVERDUE:
        return (
            ngettext(
                "%(who)s:已逾期%(days)s天(计划日 %(slot)s)",
                "%(who)s:已逾期%(days)s天(计划日 %(slot)s)",
                detail,
            )
            % values
        )
    if kind == Kind.ESCALATION:
        return _("%(who)s:逾期升级第%(level)s级(计划日 %(slot)s)") % values
    return (
        ngettext(
            "%(who)s:%(days)s天没有进展记录(计划日 %(slot)s)",
            "%(who)s:%(days)s天没有进展记录(计划日 %(slot)s)",
            detail,
        )
        % values
    )


def _insert(rows: list[Planned], now: datetime.datetime) -> list[int]:
    """Insert the rows; conflicts (already planned) are skipped. Returns the IDs this call inserted.
    Rows go in key order, so two concurrent passes wait on each other instead of deadlocking."""
    if connection.vendor == "postgresql":
        return _insert_postgresql(rows, now)
    batch = uuid.uuid4().hex
    Reminder.objects.bulk_create(
        [
            Reminder(
                action_id=row.action_id or None,
                kind=row.kind,
                recipient_id=row.recipient_id,
                slot=row.slot,
                planned_on=row.planned_on,
                due_date=row.due_date,
                queued_at=now,
                batch=batch,
            )
            for row in rows
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return list(Reminder.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))


POSTGRESQL_BATCH = 5000


def _insert_postgresql(rows: list[Planned], now: datetime.datetime) -> list[int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the database says which rows this pass inserted.
    Each column travels as one comma-separated string unpacked by the server, because building and
    quoting tens of thousands of model instances and array elements costs seconds per pass."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    sql = f"""
        INSERT INTO {table} (action_id, kind, recipient_id, slot, planned_on, due_date,
                             state, attempts, queued_at, error, note, batch, created_at)
        SELECT NULLIF(a, 0), k, r, s, p, NULLIF(d, '')::date, %s, 0, %s, '', '', '', %s
        FROM unnest(string_to_array(%s, ',')::bigint[], string_to_array(%s, ','),
                    string_to_array(%s, ',')::bigint[], string_to_array(%s, ',')::date[],
                    string_to_array(%s, ',')::date[], string_to_array(%s, ','))
             AS t(a, k, r, s, p, d)
        ON CONFLICT DO NOTHING
        RETURNING id
    """
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), POSTGRESQL_BATCH):
            chunk = rows[start : start + POSTGRESQL_BATCH]
            columns = (
                ",".join(str(row.action_id) for row in chunk),
                ",".join(row.kind for row in chunk),
                ",".join(str(row.recipient_id) for row in chunk),
                ",".join(row.slot.isoformat() for row in chunk),
                ",".join((row.planned_on or row.slot).isoformat() for row in chunk),
                ",".join(row.due_date.isoformat() if row.due_date else "" for row in chunk),
            )
            cursor.execute(sql, [State.PENDING, now, now, *columns])
            ids.extend(pk for (pk,) in cursor.fetchall())
    return sorted(ids)


def _recover(now: datetime.datetime, *, dry_run: bool) -> list[int]:
    """Rows to hand to the workers again: claimed by a worker that died (a claim older than
    OUTBOX_CLAIM_TIMEOUT, far beyond the task's time limit) or pending with no task run for that long
    (the broker was down when they were planned, or a retry was lost)."""
    cutoff = now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    stale = Q(state=State.SENDING, claimed_at__lt=cutoff)
    lost = Q(state=State.PENDING) & (Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True))
    ids = list(Reminder.objects.filter(stale | lost).order_by("pk").values_list("pk", flat=True))
    if ids and not dry_run:
        Reminder.objects.filter(stale, pk__in=ids).update(
            state=State.PENDING, note=_("发送中断(处理进程已停止),已重新排队")
        )
        Reminder.objects.filter(pk__in=ids, state=State.PENDING).update(queued_at=now)
        logger.warning("Re-enqueuing %d reminder(s) that were never sent", len(ids))
    return ids


def recover(now: datetime.datetime) -> int:
    """The outbox sweep's share: queue again the rows left behind. Returns how many."""
    with transaction.atomic():
        ids = _recover(now, dry_run=False)
        enqueue_after_commit(ids)
    return len(ids)


def plan(*, now: datetime.datetime | None = None, dry_run: bool = False, enqueue: bool = True) -> PlanResult:
    """One planning pass: insert what is due, recover what was lost, enqueue both after commit
    (unless `enqueue` is False: the caller sends them itself). With dry_run nothing is kept and
    nothing is enqueued; the result still says what would be sent."""
    now = now or timezone.now()
    with transaction.atomic():
        planner = _Planner(now)
        rows = sorted(planner.plan_items() + planner.plan_digests())
        new_ids = _insert(rows, now)
        recovered = _recover(now, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
        else:
            planner.record_sweeps()
            if enqueue:
                enqueue_after_commit(new_ids + recovered)
    return PlanResult(planned=rows, new_ids=new_ids, recovered_ids=recovered)
