"""Reports keep one table: background renders (RenderJob), so a long render is done once, shown with
progress, and served from storage afterwards."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RenderJob(models.Model):
    """One background render: what to render (kind + params), how far it got, and what it produced.

    `cache_key` is a hash of (kind, params, data version): asking again for the same report over the
    same data finds this row instead of rendering twice. Failed jobs never answer for a key, so a retry
    renders afresh."""

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict)
    cache_key = models.CharField(max_length=64)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # {"pdf": {"name": "…", "filename": "…", "content_type": "…", "size": 123}, …}: files in storage.
    outputs = models.JSONField(_("输出文件"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "后台生成任务")
        verbose_name_plural = pgettext_lazy("plural", "后台生成任务")
        ordering = ["-created_at"]
        constraints = [
            # At most one live (queued, running or finished) render per key: two clicks, one render.
            models.UniqueConstraint(
                fields=["cache_key"], condition=~Q(state="failed"), name="render_job_one_live_per_key"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.get_state_display()} ({self.progress}%)"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class PublishedMinutes(models.Model):
    """The PDF of one published version of the minutes, rendered once from its snapshot and kept.

    Readers with full access get this very file every time, so the copy filed today and the one
    downloaded next year are byte for byte the same; `sha256` lets anyone check that."""

    version = models.ForeignKey(
        "meetings.MeetingVersion", verbose_name=_("纪要版本"), on_delete=models.CASCADE, related_name="pdfs"
    )
    # The document's labels (会议时间 / Time) follow the reader's language: one file per language.
    language = models.CharField(_("语言"), max_length=10)
    file = models.FileField(_("文件"), upload_to="minutes/%Y/%m/")
    sha256 = models.CharField(_("文件摘要(SHA-256)"), max_length=64)
    size = models.PositiveIntegerField(_("大小(字节)"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "已发布纪要文件")
        verbose_name_plural = pgettext_lazy("plural", "已发布纪要文件")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="published_minutes_one_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.version} ({self.language})"
