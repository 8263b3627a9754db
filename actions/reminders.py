"""Reminders: plan rows first, then send each row once.

Planning (every 10 minutes, from beat) works out which reminders are due now (actions/reminder_policy.py),
inserts one row per (item, kind, recipient, slot) with ON CONFLICT DO NOTHING, and enqueues a send task
for each row it inserted, after commit. The unique key makes any number of concurrent or repeated
passes safe. Each pass also re-enqueues rows whose task never ran (the broker was down) and rows claimed
by a worker that died (stale claims).

Sending claims the row atomically (pending → sending), checks that the reminder still applies, sends the
e-mail, hands the reminder to the other channels (actions.channels.reminder_fan_out: in-app and group
robots) and marks the row sent. Transient failures go back to pending for a retry with exponential
backoff; after REMINDERS["MAX_ATTEMPTS"] claims, or at once for a permanent refusal, the row is failed
with the error. A worker that dies after sending but before marking can cause one duplicate, only then.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Max, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions import links
from actions import reminder_policy as rp
from actions.models import (
    ActionItem,
    ActionOwner,
    DeadlineKind,
    ProgressEntry,
    Reminder,
    ReminderPreference,
    ReminderSweep,
    Status,
    end_of_week,
)
from actions.policy import access, shown_decisions_for
from config import outbox
from config.mail import is_permanent, stable_message_id
from meetings.models import Decision, Department, User
from meetings.templatetags.minutes import long_date

logger = logging.getLogger(__name__)

Kind, State = Reminder.Kind, Reminder.State
LEAD = ActionOwner.Role.LEAD
OWNER_KINDS = (Kind.UPCOMING, Kind.DUE_TODAY, Kind.OVERDUE, Kind.CHECKIN)
# How far back a pass that is not the day's first looks for changed items: covers a transaction that
# committed just after the previous pass read the table.
INCREMENTAL_MARGIN = datetime.timedelta(minutes=2)


def conf(name: str):
    return settings.REMINDERS[name]


# Preferences ---------------------------------------------------------------------------------------

CHANNELS = ("email", "robot", "in_app")


def preference_for(user) -> ReminderPreference:
    """The user's saved preferences, or the defaults (not saved) when they never chose."""
    try:
        return user.reminder_preference
    except ReminderPreference.DoesNotExist:
        return ReminderPreference(user=user, time_zone=conf("TIME_ZONE"))


def wants(user, channel: str) -> bool:
    """Whether `user` wants reminders on `channel`: "email", "robot" or "in_app" (always on)."""
    if channel not in CHANNELS:
        raise ValueError(f"Unknown reminder channel: {channel!r}")
    if channel == "in_app":
        return True
    return bool(getattr(preference_for(user), channel))


# Planning ------------------------------------------------------------------------------------------


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
        self.default_tz = conf("TIME_ZONE")
        # user_id → (mode, support_reminders, time_zone); users without a row use the defaults.
        self.prefs = {
            row[0]: row[1:]
            for row in ReminderPreference.objects.values_list(
                "user_id", "mode", "support_reminders", "time_zone"
            )
        }
        self.zones = self._zones()
        self.rules = rp.RulesByDepartment.load()
        self.departments = dict(Department.objects.values_list("pk", "head_id"))
        self.parents = self.rules.parents
        self.inactive = set(User.objects.filter(is_active=False).values_list("pk", flat=True))

    def _zones(self) -> dict[str, _Zone]:
        names = {self.default_tz, *(tz for _m, _s, tz in self.prefs.values())}
        days = {name: rp.planning_day(self.now, name) for name in names}
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
        last_pk, size = 0, conf("BATCH_SIZE")
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
        policy_department = None
        for role, user_id, department_id, user_department_id in owners:
            # A department owner is answered for by its head.
            person = user_id if user_id is not None else self.departments.get(department_id)
            home = user_department_id if user_id is not None else department_id
            if role == LEAD:
                policy_department = home if policy_department is None else policy_department
                # Escalate even when the lead has left: that is when a manager must step in.
                leads.append((person, home, department_id is not None))
            if person is not None and person not in self.inactive:
                answering.append((person, role))
        rules = self.rules.for_department(policy_department)
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
                hit = rp.owner_slot(zone.day, due, rules)
            elif deadline_kind == DeadlineKind.ONGOING:
                last = timezone.localtime(last_entry or created_at, rp.zone(zone.name)).date()
                hit = rp.checkin_slot(zone.day, last, checkin_days, rules)
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
            hit = rp.escalation_slot(zone.day, due, rules)
            if hit:
                out.append(
                    Planned(action_id, hit[0], person, hit[1], due, hit[2], _why(hit, "manager"), zone.day)
                )
        return out

    def plan_digests(self) -> list[Planned]:
        """The weekly digest, on a zone's first pass of the day, for each person with open items."""
        slots = {}
        for name, zone in self.zones.items():
            hit = zone.full and rp.digest_slot(zone.day, self.rules.default, zone.last_planned_day)
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


def enqueue_now(reminder_ids: list[int]) -> int:
    """Hand rows to the workers, over one broker connection. A broker that is down must not break the
    caller (a page, a pass): the rows stay pending and the outbox sweep queues them again. Returns how
    many were queued."""
    from actions.tasks import send_reminder_task

    return outbox.enqueue(send_reminder_task, [(pk,) for pk in reminder_ids])


def enqueue_after_commit(reminder_ids: list[int]) -> None:
    if reminder_ids:
        transaction.on_commit(lambda: enqueue_now(list(reminder_ids)))


@transaction.atomic
def reminder_resend(*, reminder: Reminder) -> bool:
    """Put a failed (or cancelled) reminder back in the queue. Returns False if it was not failed."""
    updated = Reminder.objects.filter(pk=reminder.pk, state__in=(State.FAILED, State.CANCELLED)).update(
        state=State.PENDING, attempts=0, error="", queued_at=timezone.now()
    )
    if updated:
        enqueue_after_commit([reminder.pk])
    return bool(updated)


def cancel_pending(*, action_id: int, reason: str) -> int:
    """Cancel an item's reminders not yet sent: it was completed, cancelled, put on hold or re-dated."""
    return Reminder.objects.filter(action_id=action_id, state=State.PENDING).update(
        state=State.CANCELLED, note=reason[:500]
    )


# Sending -------------------------------------------------------------------------------------------


class RetryLater(Exception):
    """A transient failure: the row is pending again and should be retried after `countdown` s."""

    def __init__(self, countdown: int, error: str):
        super().__init__(error)
        self.countdown = countdown


def claim(reminder_id: int) -> bool:
    """pending → sending, atomically: of two workers holding the same ID only one gets True."""
    return bool(
        Reminder.objects.filter(pk=reminder_id, state=State.PENDING).update(
            state=State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def message_day(reminder: Reminder, now: datetime.datetime | None = None) -> datetime.date:
    """The day a message speaks from ("明天到期", "逾期3天"): the recipient's today when it is sent, in
    their time zone. Texts are rendered at send time, so a reminder held back by an outage, or retried
    the next morning, says what is true when it arrives."""
    time_zone = preference_for(reminder.recipient).time_zone or conf("TIME_ZONE")
    return timezone.localtime(now or timezone.now(), rp.zone(time_zone)).date()


def still_applies(reminder: Reminder, now: datetime.datetime | None = None) -> str:
    """Why the reminder should not go out any more ("" when it should): the recipient left, the item
    was closed or re-dated, or the reminder is no longer current (an "upcoming" one whose date has come,
    one replaced by a later reminder of its kind). The next planning pass plans the right one."""
    if not reminder.recipient.is_active:
        return _("收件人已停用")
    today = message_day(reminder, now)
    if rp.outdated(reminder.kind, reminder.due_date, reminder.slot, today):
        values = {"slot": long_date(reminder.slot), "today": long_date(today)}
        return _("已过时:原定 %(slot)s 的提醒,到 %(today)s 发送时已不再适用") % values
    if reminder.kind == Kind.DIGEST:
        if not any(digest_items(reminder.recipient, today).values()):
            return _("本周没有需要关注的事项")
        return ""
    action = reminder.action
    if not action.is_open:
        return _("事项%(status)s,不再提醒") % {"status": action.get_status_display()}
    if reminder.kind != Kind.CHECKIN and action.due_date != reminder.due_date:
        if action.due_date is None:
            return _("计划后完成时限已被移除")
        return _("计划后完成时限已改为 %(date)s") % {"date": action.due_date}
    if reminder.kind == Kind.CHECKIN and reminder.pk:
        if action.progress_entries.filter(created_at__gt=reminder.created_at).exists():
            return _("计划后已有新的进展记录,不再提醒")
    later = Reminder.objects.filter(
        action_id=reminder.action_id,
        recipient_id=reminder.recipient_id,
        kind__in=rp.kinds_in_family(reminder.kind),
        due_date=reminder.due_date,
        slot__gt=reminder.slot,
    ).exclude(state=State.CANCELLED)
    if later.exists():
        return _("已有更新的提醒,本条作废")
    return ""


def send_reminder(reminder_id: int) -> bool:
    """Send one planned reminder. Returns True when this call sent it; False when another worker has
    it, it was already sent, it no longer applies (then it is cancelled) or it failed for good.
    Raises RetryLater for a transient failure: the row is pending again."""
    if not claim(reminder_id):
        return False
    reminder = (
        Reminder.objects.select_related("action__meeting", "recipient__reminder_preference")
        .prefetch_related(
            # Shared by the policy check (may this recipient complete it?) and the e-mail's owner list.
            Prefetch("action__owners", queryset=ActionOwner.objects.select_related("user", "department")),
            Prefetch("action__decisions", queryset=Decision.objects.select_related("agenda_item")),
        )
        .get(pk=reminder_id)
    )
    reason = still_applies(reminder)
    if reason:
        Reminder.objects.filter(pk=reminder_id, state=State.SENDING).update(
            state=State.CANCELLED, note=reason
        )
        return False
    try:
        deliver(reminder)
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if is_permanent(exc) or reminder.attempts >= conf("MAX_ATTEMPTS"):
            Reminder.objects.filter(pk=reminder_id).update(state=State.FAILED, error=error)
            logger.warning(
                "Reminder %s failed after %d attempt(s): %s", reminder_id, reminder.attempts, error
            )
            return False
        countdown = conf("RETRY_BASE_SECONDS") * 2 ** (reminder.attempts - 1)
        Reminder.objects.filter(pk=reminder_id).update(
            state=State.PENDING,
            error=error,
            queued_at=timezone.now() + datetime.timedelta(seconds=countdown),
        )
        raise RetryLater(countdown, error) from exc
    Reminder.objects.filter(pk=reminder_id).update(state=State.SENT, sent_at=timezone.now(), error="")
    return True


def deliver(reminder: Reminder) -> None:
    """The e-mail (when wanted and possible), then the in-app notification and the group robots."""
    recipient = reminder.recipient
    if wants(recipient, "email"):
        if not recipient.email:
            note = _("收件人没有电子邮箱,只通过站内通知和群机器人提醒")
            if reminder.note != note:
                Reminder.objects.filter(pk=reminder.pk).update(note=note)
                reminder.note = note
            logger.warning(
                "No e-mail address for user %s; reminder %s goes to the other channels",
                recipient.pk,
                reminder.pk,
            )
        elif reminder.emailed_at is None:
            message = build_digest(reminder) if reminder.kind == Kind.DIGEST else build_message(reminder)
            if message is not None:
                message.send()
                reminder.emailed_at = timezone.now()
                Reminder.objects.filter(pk=reminder.pk).update(emailed_at=reminder.emailed_at)
    fan_out(reminder)


def fan_out(reminder: Reminder) -> None:
    """The other channels (in-app bell, group robots), idempotent per reminder."""
    try:
        from actions.channels import reminder_fan_out
    except ImportError:  # the channels module is optional: e-mail works without it
        return
    reminder_fan_out(reminder=reminder)


def _context(reminder: Reminder) -> dict:
    action, recipient = reminder.action, reminder.recipient
    today = message_day(reminder)
    item_access = access(recipient, action)
    is_owner = reminder.kind != Kind.ESCALATION and item_access.is_owner
    latest = (
        action.progress_entries.exclude(note="")
        .exclude(changes__has_key="status", changes__status__0=None)
        .select_related("author")
        .first()
    )
    owners = list(action.owners.all())
    due = action.due_date
    return {
        "reminder": reminder,
        "kind": reminder.kind,
        "headline": _headline(due, today),
        "action": action,
        "recipient": recipient,
        "meeting": action.meeting,
        # As the recipient may read them: "(保密决议)" where they may not see the meeting's secrets.
        "decisions": shown_decisions_for(recipient, action),
        "leads": [o.owner_name for o in owners if o.role == LEAD],
        "supports": [o.owner_name for o in owners if o.role != LEAD],
        "latest": latest,
        "days_left": (due - today).days if due else None,
        "days_overdue": (today - due).days if due else None,
        "idle_days": (today - timezone.localdate(latest.created_at if latest else action.created_at)).days,
        "level": _escalation_level(reminder),
        "is_recurring": action.deadline_kind == DeadlineKind.RECURRING,
        "url": settings.SITE_URL + action.get_absolute_url(),
        "my_actions_url": settings.SITE_URL + reverse("actions:my"),
        "preferences_url": settings.SITE_URL + reverse("actions:reminder_preferences"),
        "complete_url": links.make_link(action, recipient, links.COMPLETE)
        if is_owner and item_access.can_complete
        else None,
        "progress_url": links.make_link(action, recipient, links.PROGRESS) if is_owner else None,
        "link_days": links.MAX_AGE.days,
        "calendar_url": settings.SITE_URL + reverse("actions:calendar"),
    }


def _headline(due: datetime.date | None, today: datetime.date) -> str:
    """What the e-mail says about the deadline, seen from the message day."""
    if due is None:
        return "none"
    days = (due - today).days
    return "overdue" if days < 0 else "today" if days == 0 else "tomorrow" if days == 1 else "upcoming"


def _escalation_level(reminder: Reminder) -> int:
    """Level 1 or 2: how many escalation days of the default rules the slot has reached."""
    if reminder.kind != Kind.ESCALATION or reminder.due_date is None:
        return 0
    days = (reminder.slot - reminder.due_date).days
    return max(1, sum(1 for d in rp.default_rules().escalation_days if d <= days))


def _message(reminder: Reminder, recipient, subject: str, text: str, html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[recipient.email],
        headers={"Message-ID": stable_message_id("reminder", reminder.pk)},
    )
    message.attach_alternative(html, "text/html")
    return message


def build_message(reminder: Reminder) -> EmailMultiAlternatives:
    """The e-mail about one item, in the recipient's language, with one-click links signed for the
    recipient: "更新进度" for owners, "标记完成" for those the policy lets complete the item."""
    context = _context(reminder)
    with translation.override(reminder.recipient.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/reminder_subject.txt", context).split())
        text = render_to_string("emails/reminder.txt", context)
        html = render_to_string("emails/reminder.html", context)
    return _message(reminder, reminder.recipient, subject, text, html)


DIGEST_GROUPS = ("overdue", "this_week", "stale")


def digest_items(user, today: datetime.date) -> dict[str, list[ActionItem]]:
    """The weekly digest's groups: 已逾期, 本周到期 (through Sunday) and 长期未更新 (no progress entry
    for the item's check-in period). Each item appears once, in the first group it fits."""
    from actions.selectors import action_rows

    items = action_rows(ActionItem.objects.owned_by(user).open(), today=today).order_by("due_date", "pk")
    groups = {key: [] for key in DIGEST_GROUPS}
    sunday = end_of_week(today)
    for item in items:
        last = timezone.localdate(item.last_update_at or item.created_at)
        if item.is_overdue_on(today):
            groups["overdue"].append(item)
        elif item.due_date is not None and item.due_date <= sunday:
            groups["this_week"].append(item)
        elif (today - last).days >= item.checkin_days:
            item.idle_days = (today - last).days
            groups["stale"].append(item)
    return groups


def build_digest(reminder: Reminder) -> EmailMultiAlternatives | None:
    """每周行动项汇总, or None when nothing needs the recipient's attention this week."""
    recipient = reminder.recipient
    today = message_day(reminder)
    groups = digest_items(recipient, today)
    if not any(groups.values()):
        return None
    for items in groups.values():
        for item in items:
            item.days_overdue_on = (today - item.due_date).days if item.due_date else 0
            item.url = settings.SITE_URL + item.get_absolute_url()
    context = {
        "recipient": recipient,
        "today": today,
        "week_end": end_of_week(today),
        "groups": [(key, groups[key]) for key in DIGEST_GROUPS if groups[key]],
        "counts": {key: len(items) for key, items in groups.items()},
        "my_actions_url": settings.SITE_URL + reverse("actions:my"),
        "preferences_url": settings.SITE_URL + reverse("actions:reminder_preferences"),
    }
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/digest_subject.txt", context).split())
        text = render_to_string("emails/digest.txt", context)
        html = render_to_string("emails/digest.html", context)
    return _message(reminder, recipient, subject, text, html)


@transaction.atomic
def reminder_preference_save(
    *, user, mode: str, support_reminders: bool, email: bool, robot: bool, time_zone: str
) -> ReminderPreference:
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user,
        defaults={
            "mode": mode,
            "support_reminders": support_reminders,
            "email": email,
            "robot": robot,
            "time_zone": time_zone,
        },
    )
    return preference
