"""Action items (行动项), their owners, deadlines, progress log and reminders."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
        from meetings.models import Department

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


class UsedLink(models.Model):
    """A signed one-click link that has been used; links work once."""

    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "已使用的链接")
        verbose_name_plural = pgettext_lazy("plural", "已使用的链接")

    def __str__(self):
        return self.digest[:12]


class Reminder(models.Model):
    """A reminder is a row with a unique key before it is a message, so it is never sent twice.

    The key is (item, kind, recipient, slot): the slot is the day the policy planned it for (see
    actions/reminder_policy.py). The weekly digest has no item; its key is (recipient, kind, slot).
    """

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", _("即将到期")
        DUE_TODAY = "due_today", _("今日到期")
        OVERDUE = "overdue", _("已逾期")
        ESCALATION = "escalation", _("逾期升级")
        CHECKIN = "checkin", _("进展更新提醒")
        DIGEST = "digest", _("每周行动项汇总")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        CANCELLED = "cancelled", _("已取消")

    action = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    slot = models.DateField(_("计划日期"))
    # The recipient's day the pass planned it on: later than the slot when a catch-up or a quiet day
    # held it back. Messages speak from this day ("逾期3天").
    planned_on = models.DateField(_("发出日期"), null=True, blank=True)
    # The deadline the reminder was planned against: if the item's due date differs at send time, the
    # item was re-dated or its date removed, and the reminder is cancelled instead of sent.
    due_date = models.DateField(_("计划时的完成时限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # When a send task was last handed to the broker for this row (or is due to run, for a retry);
    # planning re-enqueues pending rows whose task never ran.
    queued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set as soon as the e-mail is accepted, so a retry of the other channels does not e-mail again.
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # Warnings for administrators, e.g. "收件人没有电子邮箱".
    note = models.CharField(_("备注"), max_length=500, blank=True)
    # The planning pass that inserted the row: how a pass finds the rows it created and no others.
    batch = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "提醒")
        verbose_name_plural = pgettext_lazy("plural", "提醒")
        ordering = ["-slot", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "recipient", "slot"], name="reminder_unique_per_slot"
            ),
            # NULLs are distinct in a unique index, so the digest (no item) needs its own.
            models.UniqueConstraint(
                fields=["recipient", "kind", "slot"],
                condition=Q(action__isnull=True),
                name="reminder_unique_digest_per_slot",
            ),
        ]
        indexes = [
            # The planning pass: "the rows this pass inserted" (WHERE batch = …).
            models.Index(fields=["batch"], name="reminder_batch_idx"),
            # Recovery in every planning pass: pending rows never sent and stale claims. Partial, so it
            # stays as small as the backlog however many reminders have been sent.
            models.Index(
                fields=["state", "queued_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="reminder_unfinished_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.slot})"


TIME_ZONE_CHOICES = [
    ("Asia/Shanghai", _("北京时间(Asia/Shanghai)")),
    ("Asia/Hong_Kong", _("香港(Asia/Hong_Kong)")),
    ("Asia/Taipei", _("台北(Asia/Taipei)")),
    ("Asia/Singapore", _("新加坡(Asia/Singapore)")),
    ("Asia/Tokyo", _("东京(Asia/Tokyo)")),
    ("Europe/London", _("伦敦(Europe/London)")),
    ("Europe/Berlin", _("柏林(Europe/Berlin)")),
    ("America/New_York", _("纽约(America/New_York)")),
    ("America/Los_Angeles", _("洛杉矶(America/Los_Angeles)")),
    ("UTC", "UTC"),
]


class ReminderPreference(models.Model):
    """How one user wants to be reminded. Users without a row get the defaults of the fields."""

    class Mode(models.TextChoices):
        INDIVIDUAL = "individual", _("逐条提醒,并接收每周汇总")
        DIGEST = "digest", _("只接收每周汇总")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    mode = models.CharField(_("提醒方式"), max_length=20, choices=Mode.choices, default=Mode.INDIVIDUAL)
    support_reminders = models.BooleanField(
        _("作为配合人时也逐条提醒"),
        default=False,
        help_text=_("默认只有牵头人收到逐条提醒,配合人只在每周汇总中看到事项。"),
    )
    email = models.BooleanField(_("电子邮件"), default=True)
    robot = models.BooleanField(_("群机器人"), default=True, help_text=_("在部门或会议系列的群里提醒。"))
    time_zone = models.CharField(_("时区"), max_length=40, choices=TIME_ZONE_CHOICES, default="Asia/Shanghai")

    class Meta:
        verbose_name = pgettext_lazy("model", "提醒设置")
        verbose_name_plural = pgettext_lazy("plural", "提醒设置")

    def __str__(self):
        return str(self.user)


class ReminderPolicy(models.Model):
    """A department's own reminder rules. Empty fields fall back to the department above, then to the
    REMINDERS setting. Items follow the department of their first lead owner."""

    department = models.OneToOneField(
        "meetings.Department",
        verbose_name=_("部门"),
        on_delete=models.CASCADE,
        related_name="reminder_policy",
    )
    upcoming_days = models.CharField(
        _("到期前提醒(天)"), max_length=50, blank=True, help_text=_("用逗号分隔,例如:3,1")
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("逾期后每隔几天提醒"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    escalation_days = models.CharField(
        _("逾期升级(天)"), max_length=50, blank=True, help_text=_("用逗号分隔,例如:7,14(第一级、第二级)")
    )
    quiet_weekdays = models.CharField(
        _("免打扰日"),
        max_length=20,
        blank=True,
        help_text=_("0 = 周一,6 = 周日,用逗号分隔,例如:5,6。填“-”表示每天都发送。"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "部门提醒规则")
        verbose_name_plural = pgettext_lazy("plural", "部门提醒规则")

    def __str__(self):
        return str(self.department)

    def clean(self):
        from actions.reminder_policy import parse_days

        for name in ("upcoming_days", "escalation_days", "quiet_weekdays"):
            value = getattr(self, name)
            if value and value != "-":
                try:
                    days = parse_days(value)
                except ValueError:
                    raise ValidationError({name: _("请填写用逗号分隔的整数,例如:3,1")}) from None
                if name == "quiet_weekdays" and any(d > 6 for d in days):
                    raise ValidationError({name: _("星期几应在 0 到 6 之间。")})


class ReminderSweep(models.Model):
    """The planner's record of a day: the first pass of a day in a time zone looks at every open item,
    later passes that day only at items changed since the previous pass."""

    time_zone = models.CharField(max_length=40)
    day = models.DateField()
    last_pass_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["time_zone", "day"], name="reminder_sweep_unique_day"),
        ]

    def __str__(self):
        return f"{self.time_zone} {self.day}"


def new_feed_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private .ics subscription of the user's own deadlines. The token is the only credential a
    calendar app can send, so it is long, random and replaceable (重置链接)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("订阅令牌"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "日历订阅")
        verbose_name_plural = pgettext_lazy("plural", "日历订阅")

    def __str__(self):
        return str(self.user)


def _mask(value: str) -> str:
    """Keep just enough of a token to recognise it: abcd…wxyz."""
    if len(value) <= 8:
        return "…" if value else ""
    return f"{value[:4]}…{value[-4:]}"


def mask_webhook_url(url: str) -> str:
    """The webhook with its credentials hidden. The token may sit in the query (钉钉 access_token,
    企业微信 key) or in the path (飞书 /hook/<id>, Slack /services/…), so both are masked."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    path = "/".join(_mask(seg) if len(seg) >= 16 else seg for seg in parts.path.split("/"))
    query = "&".join(
        f"{name}={_mask(value)}"
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, path, query, ""))


class RobotChannel(models.Model):
    """A group chat robot (webhook) that receives the reminders of one department or one meeting series.

    The URL and the signing secret are credentials: anyone holding them can post into the group. They are
    never shown in full after saving (see masked_url) and never written to a log."""

    class Platform(models.TextChoices):
        DINGTALK = "dingtalk", _("钉钉")
        WECOM = "wecom", _("企业微信")
        FEISHU = "feishu", _("飞书")
        SLACK = "slack", _("Slack 兼容 Webhook")
        WEBHOOK = "webhook", _("通用 JSON Webhook")

    name = models.CharField(_("名称"), max_length=100)
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices)
    department = models.ForeignKey(
        "meetings.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robot_channels",
    )
    series = models.ForeignKey(
        "meetings.MeetingSeries",
        verbose_name=_("会议系列"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robot_channels",
    )
    webhook_url = models.CharField(_("Webhook 地址"), max_length=1000)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "群机器人")
        verbose_name_plural = pgettext_lazy("plural", "群机器人")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, series__isnull=True)
                | Q(department__isnull=True, series__isnull=False),
                name="robot_channel_department_xor_series",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_url(self) -> str:
        return mask_webhook_url(self.webhook_url)

    @property
    def scope_name(self) -> str:
        return self.department.name if self.department_id else self.series.title

    def robot(self):
        from actions.robots import robot_for

        return robot_for(self.platform, self.webhook_url, self.secret)


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    # No longer current when its turn came (the item was closed, or its date came while it waited).
    DROPPED = "dropped", _("已作废")


class RobotDelivery(models.Model):
    """One reminder to one group robot. The unique key keeps a retried fan-out from posting twice; several
    pending rows of one robot go out together as one message."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="robot_deliveries")
    channel = models.ForeignKey(RobotChannel, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        _("状态"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.TextField(_("平台返回"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "机器人消息")
        verbose_name_plural = pgettext_lazy("plural", "机器人消息")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "channel"], name="robot_delivery_unique"),
        ]
        indexes = [
            # The robot send task: the pending (or stale sending) rows of one channel.
            models.Index(fields=["channel", "state"], name="robot_delivery_channel_idx"),
        ]

    def __str__(self):
        return f"{self.channel} ← {self.reminder_id}"


class Notification(models.Model):
    """站内通知: the bell. Every reminder lands here too, so nothing depends on e-mail alone. Deadline
    change requests land here as well: the deciders learn of a request, the requester of the decision."""

    # Kinds that are not reminders (the others are Reminder.Kind values).
    DEADLINE_REQUESTED = "deadline_requested"
    DEADLINE_APPROVED = "deadline_approved"
    DEADLINE_REJECTED = "deadline_rejected"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    action = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # One notification per reminder, whatever retries the send task goes through.
    reminder = models.OneToOneField(
        Reminder, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    # One notification per deadline change, recipient and kind: a request tells each decider once.
    deadline_change = models.ForeignKey(
        DeadlineChange, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "站内通知")
        verbose_name_plural = pgettext_lazy("plural", "站内通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The notifications page: one user's, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            # The unread count in the navigation bar, on every page.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline_change", "recipient", "kind"],
                condition=Q(deadline_change__isnull=False),
                name="notification_unique_per_deadline_change",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.action}"

    @property
    def kind_label(self) -> str:
        deadline_kinds = {
            self.DEADLINE_REQUESTED: _("延期申请待审批"),
            self.DEADLINE_APPROVED: _("延期申请已批准"),
            self.DEADLINE_REJECTED: _("延期申请已驳回"),
        }
        if self.kind in deadline_kinds:
            return deadline_kinds[self.kind]
        try:
            return Reminder.Kind(self.kind).label
        except ValueError:
            return _("提醒")
