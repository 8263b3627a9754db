import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Left
from django.utils import timezone

from actions import figures
from actions.models import (
    OPEN_STATUSES,
    ActionItem,
    ActionOwner,
    DeadlineChange,
    DeadlineKind,
    Occurrence,
    ProgressEntry,
    Status,
    end_of_week,
    local_today,
    overdue_q,
    progress_notes_q,
)
from meetings.models import Decision, User


def actions_due_on(day: datetime.date):
    """Open items due on a given day, with what the reminder needs."""
    return (
        ActionItem.objects.open()
        .filter(due_date=day)
        .select_related("meeting")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department__head"))
        )
    )


def action_for_detail(*, action_id: int):
    return (
        ActionItem.objects.filter(pk=action_id)
        .select_related("meeting__chair", "completed_by")
        .annotate(**row_annotations(local_today()))
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department__head")),
            Prefetch("progress_entries", queryset=ProgressEntry.objects.select_related("author")),
            Prefetch("decisions", queryset=Decision.objects.select_related("agenda_item")),
            Prefetch("occurrences", queryset=Occurrence.objects.select_related("delivered_by")),
            Prefetch(
                "deadline_changes",
                queryset=DeadlineChange.objects.select_related("requested_by", "decided_by"),
            ),
        )
        .first()
    )


# 我的行动项 and the item page. Each row shows the latest note, whether a new deadline waits for
# approval and, for recurring items, how many occurrences were delivered: subqueries, so a page of
# rows costs the same number of queries however many rows it has.
NOTE_PREVIEW_CHARS = 200
RECENTLY_DONE_DAYS = 14
MY_GROUPS = ("overdue", "today", "this_week", "later", "ongoing", "on_hold", "done")


def row_annotations(today: datetime.date) -> dict:
    entries = ProgressEntry.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
    occurrences = Occurrence.objects.filter(action=OuterRef("pk")).order_by().values("action")

    def count(queryset):
        return Coalesce(Subquery(queryset.annotate(n=Count("pk")).values("n")), 0)

    return {
        # What people reported on the work, not the reason of a new deadline or the creation line.
        "latest_note": Subquery(
            entries.filter(progress_notes_q())
            .annotate(preview=Left("note", NOTE_PREVIEW_CHARS))
            .values("preview")[:1]
        ),
        "last_update_at": Subquery(entries.values("created_at")[:1]),
        "pending_due_date": Subquery(
            DeadlineChange.objects.filter(action=OuterRef("pk"), state=DeadlineChange.State.PENDING).values(
                "new_due_date"
            )[:1]
        ),
        "next_occurrence_id": Subquery(
            Occurrence.objects.filter(action=OuterRef("pk"), delivered_at__isnull=True)
            .order_by("due_date")
            .values("pk")[:1]
        ),
        "occurrences_delivered": count(occurrences.filter(delivered_at__isnull=False)),
        # Delivered, or due by today: "已交付 3/4" never shows more delivered than owed.
        "occurrences_owed": count(occurrences.filter(Q(due_date__lte=today) | Q(delivered_at__isnull=False))),
    }


def action_rows(queryset, *, today: datetime.date | None = None):
    """Items with everything one row of 我的行动项 shows (and ActionAccess needs)."""
    return (
        queryset.select_related("meeting")
        .annotate(**row_annotations(today or local_today()))
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department")),
            Prefetch("decisions", queryset=Decision.objects.select_related("agenda_item")),
        )
    )


def my_actions(*, user, today: datetime.date | None = None):
    """Everything 我的行动项 lists: items the user answers for that are open or on hold, and those
    completed in the last RECENTLY_DONE_DAYS days. group_my_actions sorts them into groups."""
    today = today or local_today()
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=RECENTLY_DONE_DAYS), datetime.time.min)
    )
    listed = ActionItem.objects.owned_by(user).filter(
        Q(status__in=(*OPEN_STATUSES, Status.ON_HOLD)) | Q(status=Status.DONE, completed_at__gte=since)
    )
    return action_rows(listed, today=today).order_by("due_date", "pk")


def group_my_actions(items, today: datetime.date) -> dict[str, list[ActionItem]]:
    """The one rule for the groups of 我的行动项: 已逾期 (ActionItem.is_overdue_on), 今天到期, 本周到期
    (through Sunday), 以后 (later dates, then event deadlines still without one), 持续/周期性, 已搁置 and
    最近完成. Overdue wins over every other group, recurring items included."""
    groups: dict[str, list[ActionItem]] = {key: [] for key in MY_GROUPS}
    sunday = end_of_week(today)
    for item in items:
        if item.status == Status.DONE:
            key = "done"
        elif item.status == Status.CANCELLED:
            continue
        elif item.is_overdue_on(today):
            key = "overdue"
        elif item.status == Status.ON_HOLD:
            key = "on_hold"
        elif item.is_ongoing:
            key = "ongoing"
        elif item.due_date == today:
            key = "today"
        elif item.due_date is not None and item.due_date <= sunday:
            key = "this_week"
        else:
            key = "later"
        groups[key].append(item)

    def undated_last(item):
        return (item.due_date is None, item.due_date or today, item.pk)

    for key in ("overdue", "this_week", "later", "ongoing", "on_hold"):
        groups[key].sort(key=undated_last)
    groups["done"].sort(key=lambda item: item.completed_at, reverse=True)
    return groups


def checkin_due(action: ActionItem, today: datetime.date) -> bool:
    """An ongoing (持续进行) item wants an update when nothing was logged for `checkin_days` days.
    Needs the `last_update_at` annotation (row_annotations)."""
    if action.deadline_kind != DeadlineKind.ONGOING or not action.is_open:
        return False
    last = getattr(action, "last_update_at", None)
    return last is None or (today - timezone.localdate(last)).days >= action.checkin_days


def deadline_summary(action: ActionItem) -> dict:
    """延期 and 转办 counters of the item page, from the prefetched deadline changes and log."""
    approved = [c for c in action.deadline_changes.all() if c.state == DeadlineChange.State.APPROVED]
    pending = [c for c in action.deadline_changes.all() if c.state == DeadlineChange.State.PENDING]
    return {
        "extensions": len(approved),
        "extension_days": sum(c.days for c in approved),
        "reassignments": sum(1 for e in action.progress_entries.all() if "owners" in e.changes),
        "pending_change": pending[0] if pending else None,
    }


# 部门行动项 / 全部行动项 (views/manage.py) and their exports. The counts per row are subqueries, so a
# page of rows (or an export of thousands) costs the same number of queries whatever its size.


def actions_in_departments(department_ids: set[int] | None):
    """The items that belong to the departments: a department owner is one of them, or a person owner
    works in one of them. None means the whole organisation."""
    if department_ids is None:
        return ActionItem.objects.all()
    ids = sorted(department_ids)
    # The members are read first, so both owner lookups are index scans on the owner table with row
    # estimates the planner can trust; a join with an OR across the owner and user tables makes
    # PostgreSQL read every owner row.
    members = list(User.objects.filter(department_id__in=ids).values_list("pk", flat=True))
    as_department = ActionOwner.objects.filter(department_id__in=ids).values("action_id")
    as_member = ActionOwner.objects.filter(user_id__in=members).values("action_id")
    owned = as_department.union(as_member)
    if connection.vendor != "postgresql":
        return ActionItem.objects.filter(pk__in=owned)
    # On PostgreSQL the item IDs are read once, from the owner table alone, and handed back as one
    # array parameter. Joined to the subquery instead, every query of the page (list, counters,
    # export) hashes the whole item table, which measured 40% slower on 100,000 items; thousands of
    # separate IN parameters cost more again in Python.
    item_ids = [row["action_id"] for row in owned.order_by()]
    return ActionItem.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (item_ids,)))


def actions_for_manage(scope):
    """The rows of the managers' list and exports: `scope` (a queryset of items) with last_update_at,
    postponement_count (approved deadline changes), reassignment_count (log entries that changed
    the owners) and pending_due_date (the date a request waiting for approval asks for, shown as
    延期待审批), the source meeting and the owners. Default order: by due date, undated last."""

    def count(queryset):
        counted = queryset.order_by().values("action").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted), 0)

    approved = DeadlineChange.objects.filter(action=OuterRef("pk"), state=DeadlineChange.State.APPROVED)
    reassigned = ProgressEntry.objects.filter(action=OuterRef("pk"), changes__has_key="owners")
    pending = DeadlineChange.objects.filter(action=OuterRef("pk"), state=DeadlineChange.State.PENDING)
    return (
        scope.with_last_update()
        .annotate(
            postponement_count=count(approved),
            reassignment_count=count(reassigned),
            # At most one request waits per item (deadline_change_one_pending).
            pending_due_date=Subquery(pending.values("new_due_date")[:1]),
        )
        .select_related("meeting")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department"))
        )
        .order_by(Coalesce("due_date", datetime.date.max).asc(), "pk")
    )


@dataclass
class ScopeSummary:
    counters: dict  # 未完成, 已逾期, 本周到期, 本月完成 and 本月到期's 按时完成率 (see scope_summary)
    total: int  # every item in scope
    meeting_ids: set[int]  # the meetings the items come from, for the meeting and series filters


def scope_summary(queryset, today: datetime.date) -> ScopeSummary:
    """What the managers' list needs to know about its whole scope, in one query: the counters above
    it (未完成, 已逾期, 本周到期 from today through Sunday and not yet overdue, 本月完成), the 按时完成率 of
    the items due this month (actions.figures: the 工作落实报告's figure for this month, with the
    counts it comes from as due_this_month and on_time_this_month), how many items there are, and
    which meetings they come from.

    Counted per meeting and summed here, so the scope (a department's items, worked out from owners
    and members) is evaluated once rather than once for the counters, once for the page count and
    once for the meeting filter."""
    month = figures.Days.month_of(today)

    def local_midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    sunday = end_of_week(today)
    is_open = Q(status__in=OPEN_STATUSES)
    done_this_month = Q(
        status=Status.DONE,
        completed_at__gte=local_midnight(month.start),
        completed_at__lt=local_midnight(month.end + datetime.timedelta(days=1)),
    )
    per_meeting = (
        queryset.order_by()
        .values("meeting")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=is_open),
            overdue=Count("pk", filter=overdue_q(today)),
            due_this_week=Count("pk", filter=is_open & Q(due_date__gte=today, due_date__lte=sunday)),
            done_this_month=Count("pk", filter=done_this_month),
            **figures.judged_aggregates(month, today),
        )
    )
    keys = ("total", "open", "overdue", "due_this_week", "done_this_month", "due", "on_time", "late")
    sums, meeting_ids = dict.fromkeys(keys, 0), set()
    for row in per_meeting:
        for key in keys:
            sums[key] += row[key]
        if row["meeting"] is not None:
            meeting_ids.add(row["meeting"])
    judged = figures.Judged.from_row(sums)
    counters = {key: sums[key] for key in ("open", "overdue", "due_this_week", "done_this_month")}
    counters.update(
        due_this_month=judged.due, on_time_this_month=judged.on_time, on_time_rate=judged.on_time_rate
    )
    return ScopeSummary(counters=counters, total=sums["total"], meeting_ids=meeting_ids)


def top_postponers(scope, *, limit: int = 5) -> list[dict]:
    """延期最多: the lead owners (people or departments) of the items in `scope` with the most approved
    deadline changes. Each row: name, postponements.

    Counted from the approved changes, which are few, joined to the items' lead owners: starting from
    the owners would join every item in scope to its changes first."""
    rows = (
        DeadlineChange.objects.filter(
            state=DeadlineChange.State.APPROVED,
            action__in=scope.values("pk"),
            action__owners__role=ActionOwner.Role.LEAD,
        )
        .values(
            "action__owners__user_id",
            "action__owners__user__name",
            "action__owners__department_id",
            "action__owners__department__name",
        )
        .annotate(postponements=Count("pk"))
        .order_by("-postponements", "action__owners__user__name", "action__owners__department__name")[:limit]
    )
    return [
        {
            "name": row["action__owners__user__name"] or row["action__owners__department__name"],
            "postponements": row["postponements"],
        }
        for row in rows
    ]
