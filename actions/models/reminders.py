"""Reminders as rows: the reminder outbox (Reminder), what each user wants (ReminderPreference), a
department's own rules (ReminderPolicy), the planner's record of its days (ReminderSweep), and the
one-click links of reminder e-mails already used (UsedLink)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actions.models.items import ActionItem


def parse_days(text: str) -> tuple[int, ...]:
    """ "3, 1" → (3, 1). Raises ValueError for anything else."""
    text = text.replace(",", ",").strip()
    if not text:
        return ()
    days = tuple(int(part) for part in text.split(",") if part.strip())
    if any(day < 0 for day in days):
        raise ValueError(text)
    return days


class ReminderQuerySet(models.QuerySet):
    def cancel_pending(self, *, action_id: int, reason: str) -> int:
        """Cancel an item's reminders not yet sent: it was completed, cancelled, put on hold or re-dated.
        Returns how many."""
        return self.filter(action_id=action_id, state=Reminder.State.PENDING).update(
            state=Reminder.State.CANCELLED, note=reason[:500]
        )


class Reminder(models.Model):
    """A reminder is a row with a unique key before it is a message, so it is never sent twice.

    The key is (item, kind, recipient, slot): the slot is the day the policy planned it for (see
    actions/reminders/rules.py). The weekly digest has no item; its key is (recipient, kind, slot).
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

    objects = ReminderQuerySet.as_manager()

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


class UsedLink(models.Model):
    """A signed one-click link that has been used; links work once."""

    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "已使用的链接")
        verbose_name_plural = pgettext_lazy("plural", "已使用的链接")

    def __str__(self):
        return self.digest[:12]
