"""Where reminders and deadlines go besides e-mail: group chat robots (RobotChannel) and their share
of each reminder (RobotDelivery), the in-app bell (Notification), and private calendar feeds
(CalendarFeed)."""

import secrets
import urllib.parse

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actions.models.items import ActionItem, DeadlineChange
from actions.models.reminders import Reminder
from actions.robots import robot_for


def new_feed_token() -> str:
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
