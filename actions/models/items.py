"""Action items (行动项) and what belongs to one: its owners, progress log, occurrences and deadline
changes, with the rules of an open and an overdue item."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models import Department


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    ON_HOLD = "on_hold", _("已搁置")


# An item is "open" while someone still owes work on it. Overdue and reminders only apply to these.
OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)


class DeadlineKind(models.TextChoices):
    DATE = "date", _("固定日期")
    RELATIVE = "relative", _("相对会议日期")
    EVENT = "event", _("以事件为准")
    ONGOING = "ongoing", _("持续进行")
    RECURRING = "recurring", _("周期性")


class Priority(models.TextChoices):
    HIGH = "high", _("高")
    NORMAL = "normal", _("中")
    LOW = "low", _("低")


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    BIWEEKLY = "biweekly", _("每两周")
    MONTHLY = "monthly", _("每月")


def local_today() -> datetime.date:
    """Today in the site's time zone (Asia/Shanghai), which is what a deadline date means."""
    return timezone.localdate()


def end_of_week(day: datetime.date) -> datetime.date:
    """The Sunday of the week `day` falls in: "本周到期" runs through it."""
    return day + datetime.timedelta(days=6 - day.weekday())


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Overdue as a filter condition, for aggregates (Count(filter=...)) that cannot take a queryset:
    open and past its due date. `prefix` reaches the item through a relation ("action__").
    ActionItem.is_overdue_on is the Python form; the two must agree."""
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}due_date__lt": today})


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        """The database form of ActionItem.is_overdue; the two must agree."""
        return self.filter(overdue_q(today or local_today()))

    def owned_by(self, user):
        """Items the user answers for: as a person owner, or as head of a department owner.

        The departments the user heads are read first (most people head none), so the owner lookup is
        one or two index scans on the owner table, with row estimates the planner can trust; a join
        with an OR across the owner and department tables makes PostgreSQL read every item."""
        headed = list(Department.objects.filter(head=user).values_list("pk", flat=True))
        owners = ActionOwner.objects.filter(user=user).values("action_id")
        if headed:
            owners = owners.union(ActionOwner.objects.filter(department__in=headed).values("action_id"))
        return self.filter(pk__in=owners)

    def with_last_update(self):
        """Annotate `last_update_at`: the newest progress-log entry (the item's history)."""
        latest = ProgressEntry.objects.filter(action=models.OuterRef("pk")).order_by("-created_at")
        return self.annotate(last_update_at=models.Subquery(latest.values("created_at")[:1]))


class ActionItem(models.Model):
    title = models.CharField(_("事项"), max_length=300)
    description = models.TextField(_("说明"), blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("来源会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    decisions = models.ManyToManyField(
        "meetings.Decision", verbose_name=_("对应决议"), blank=True, related_name="action_items"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        _("进度(%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)

    # The deadline: the date it resolves to (if any), how it was given, and the words used.
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    deadline_kind = models.CharField(
        _("时限类型"), max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.DATE
    )
    deadline_text = models.CharField(
        _("时限原文"), max_length=100, blank=True, help_text=_("会上的原话,例如:两周内、下次例会前、每周")
    )
    deadline_is_estimate = models.BooleanField(_("预计时间"), default=False)
    # Recurring items (每周提交进展报告): each occurrence is due and tracked; due_date is the next one.
    recurrence = models.CharField(_("周期"), max_length=10, choices=Recurrence.choices, blank=True)
    recurrence_weekday = models.PositiveSmallIntegerField(
        _("周几"), null=True, blank=True, validators=[MaxValueValidator(6)], help_text=_("0 = 周一,6 = 周日")
    )
    # Ongoing items (持续进行) have no due date, but owners check in at this cadence.
    checkin_days = models.PositiveSmallIntegerField(
        _("进展更新周期(天)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    status_reason = models.CharField(
        _("状态说明"), max_length=500, blank=True, help_text=_("搁置或取消的原因")
    )

    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Recorded when the item is completed, against the deadline in force at that moment.
    completed_on_time = models.BooleanField(_("按时完成"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认完成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "行动项")
        verbose_name_plural = pgettext_lazy("plural", "行动项")
        ordering = ["due_date", "pk"]
        indexes = [
            # "My actions" and the reminder planner: open items by due date.
            models.Index(fields=["status", "due_date"], name="action_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="action_progress_0_100"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actions:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def is_overdue(self) -> bool:
        """Derived from the due date and the status; never stored."""
        return self.is_overdue_on(local_today())

    @property
    def days_overdue(self) -> int:
        return (local_today() - self.due_date).days if self.is_overdue else 0

    @property
    def days_left(self) -> int | None:
        if self.due_date is None or not self.is_open:
            return None
        return (self.due_date - local_today()).days

    @property
    def is_ongoing(self) -> bool:
        return self.deadline_kind in (DeadlineKind.ONGOING, DeadlineKind.RECURRING)

    def was_on_time(self, completed_at: datetime.datetime) -> bool | None:
        """Whether completing at `completed_at` meets the due date (None when there is no date)."""
        if self.due_date is None:
            return None
        return timezone.localdate(completed_at) <= self.due_date


class ActionOwner(models.Model):
    """A person or a department answering for an item, as lead (牵头/负责) or support (协助/配合)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        SUPPORT = "support", _("配合")

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="owners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_ownerships",
    )
    department = models.ForeignKey(
        "meetings.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_ownerships",
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.LEAD)

    class Meta:
        verbose_name = pgettext_lazy("model", "责任人")
        verbose_name_plural = pgettext_lazy("plural", "责任人")
        # By the column, not the relation: "action" would join and sort by the item's own ordering.
        ordering = ["action_id", "role", "pk"]  # "lead" sorts before "support"
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, department__isnull=True)
                | Q(user__isnull=True, department__isnull=False),
                name="owner_person_xor_department",
            ),
            models.UniqueConstraint(
                fields=["action", "user"], condition=Q(user__isnull=False), name="owner_unique_person"
            ),
            models.UniqueConstraint(
                fields=["action", "department"],
                condition=Q(department__isnull=False),
                name="owner_unique_department",
            ),
        ]

    def __str__(self):
        return f"{self.owner_name}({self.get_role_display()})"

    @property
    def owner_name(self) -> str:
        return self.user.name if self.user_id else self.department.name

    @property
    def answering_user(self):
        """Who answers for this ownership: the person, or the head of the department."""
        return self.user if self.user_id else self.department.head


# What an entry of the progress log may change and still be a report on the work (最新进展): progress,
# status and a delivered occurrence. A new deadline, a reassignment or an edit made while the minutes
# were taken has a note too, but that note is the reason for the change, not progress.
PROGRESS_CHANGES = frozenset({"progress", "status", "delivered"})


def _other_changes() -> list[str]:
    fields = {field.name for field in ActionItem._meta.concrete_fields}
    return sorted((fields | {"owners", "deadline_request"}) - PROGRESS_CHANGES)


def progress_notes_q() -> Q:
    """The entries that say how the work stands, as a filter on ProgressEntry: a note with no change
    other than PROGRESS_CHANGES, and not the 创建行动项 line every log starts with.
    ProgressEntry.is_progress_note is the same rule for entries already loaded."""
    creation = Q(changes__has_key="status", changes__status__0=None)
    return ~Q(note="") & ~Q(changes__has_any_keys=_other_changes()) & ~creation


class ProgressEntry(models.Model):
    """One line of an item's history: who changed what, when, and why."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="progress_entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    # {"field": [before, after]}, e.g. {"status": ["in_progress", "done"], "progress": [40, 100]}
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="progress/%Y/%m/", blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "进展记录")
        verbose_name_plural = pgettext_lazy("plural", "进展记录")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The latest entry per item: "最新进展" on every list and the stale filter.
            models.Index(fields=["action", "-created_at"], name="progress_action_latest_idx"),
        ]

    def __str__(self):
        return f"{self.action}: {self.note[:40]}"

    @property
    def is_progress_note(self) -> bool:
        """progress_notes_q for one loaded entry."""
        changes = self.changes or {}
        status = changes.get("status")
        creation = isinstance(status, list) and bool(status) and status[0] is None
        return bool(self.note) and set(changes) <= PROGRESS_CHANGES and not creation

    @property
    def status_labels(self) -> tuple[str, str] | None:
        """The status change as the user reads it: ("进行中", "已完成")."""
        change = self.changes.get("status")
        if not change:
            return None
        before, after = change
        return (Status(before).label if before else "—", Status(after).label if after else "—")


class Occurrence(models.Model):
    """One due instance of a recurring item: "24 of 26 weekly reports delivered"."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="occurrences")
    due_date = models.DateField(_("应交日期"))
    delivered_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "周期事项")
        verbose_name_plural = pgettext_lazy("plural", "周期事项")
        ordering = ["action_id", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["action", "due_date"], name="occurrence_unique_per_day"),
        ]

    def __str__(self):
        return f"{self.action} @ {self.due_date}"


class DeadlineChange(models.Model):
    """申请延期: a request to move the due date. Until approved, the original date stays in force."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="deadline_changes")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    old_due_date = models.DateField(_("原完成时限"), null=True, blank=True)
    new_due_date = models.DateField(_("新完成时限"))
    reason = models.TextField(_("延期原因"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "延期申请")
        verbose_name_plural = pgettext_lazy("plural", "延期申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # At most one request waits for a decision per item.
            models.UniqueConstraint(
                fields=["action"], condition=Q(state="pending"), name="deadline_change_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.action}: {self.old_due_date} → {self.new_due_date}"

    @property
    def days(self) -> int:
        if self.old_due_date is None:
            return 0
        return (self.new_due_date - self.old_due_date).days
