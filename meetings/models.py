"""The organisation (people, departments) and its meetings."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.numerals import ordinal_for_language


class Department(models.Model):
    """A unit of the organisation. Departments form a tree through `parent`."""

    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "meetings.User",
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "部门")
        verbose_name_plural = pgettext_lazy("plural", "部门")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name_per_parent"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def subtree_ids(cls, root_ids) -> set[int]:
        """The given departments and every department below them (one query; the tree is small)."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in cls.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = set(), list(root_ids)
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children.get(pk, []))
        return found

    @classmethod
    def managed_by(cls, user) -> set[int]:
        """The departments a user heads, with their sub-departments."""
        if not user.is_authenticated:
            return set()
        roots = list(cls.objects.filter(head=user).values_list("pk", flat=True))
        # Most people head nothing: skip reading the tree.
        return cls.subtree_ids(roots) if roots else set()

    def ancestors(self) -> list["Department"]:
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:  # guard against a cycle typed in the admin
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **extra):
        if not username:
            raise ValueError("username is required")
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the organisation. Chinese names are one field (姓名), not first and last name."""

    username = models.CharField(
        _("登录名"),
        max_length=64,
        unique=True,
        help_text=_("用于登录,例如工号或拼音。"),
    )
    name = models.CharField(_("姓名"), max_length=64)
    email = models.EmailField(_("电子邮箱"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    job_title = models.CharField(_("职务"), max_length=64, blank=True)
    # People are called by surname plus title (张总, 李经理); these names find the same person.
    aliases = models.CharField(
        _("别称"),
        max_length=200,
        blank=True,
        help_text=_("其他称呼,用逗号分隔,例如:张总, 老张"),
    )
    language = models.CharField(
        _("界面语言"),
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(_("可进入管理后台"), default=False)
    date_joined = models.DateTimeField(_("加入时间"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = pgettext_lazy("model", "用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")
        ordering = ["name"]

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.replace(",", ",").split(",") if a.strip()]

    @property
    def display_name(self) -> str:
        """姓名 with job title, as the minutes write it: 李明(项目经理)."""
        return f"{self.name}({self.job_title})" if self.job_title else self.name


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("例会")
    REVIEW = "review", _("复盘会议")
    MONTHLY = "monthly", _("月度总结与计划会议")
    QUARTERLY = "quarterly", _("季度运营会议")
    STRATEGY = "strategy", _("战略研讨会")
    TOPIC = "topic", _("专题会议")
    OTHER = "other", _("其他会议")


class Visibility(models.TextChoices):
    """Who besides the people involved may read a meeting (meetings.policy)."""

    PARTICIPANTS = "participants", _("仅参会人员")
    ORGANISATION = "organisation", _("公开(全组织可见)")


class MeetingSeries(models.Model):
    """Meetings that recur, such as 每周例会; their action items carry from one meeting to the next."""

    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(
        _("类型"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("组织部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_series",
    )
    chair = models.ForeignKey(
        User, verbose_name=_("默认主持人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorder = models.ForeignKey(
        User, verbose_name=_("默认记录人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_location = models.CharField(_("默认地点"), max_length=200, blank=True)
    # The minutes' 文号, e.g. "〔{year}〕第{number}号": {number} counts this series' meetings in that year.
    document_number_pattern = models.CharField(
        _("纪要文号格式"),
        max_length=60,
        blank=True,
        help_text=_(
            "例如:〔{year}〕第{number}号。{year} 为会议年份,{number} 为本系列当年的会议序号;留空则不编号。"
        ),
    )

    class Recurrence(models.TextChoices):
        WEEKLY = "weekly", _("每周")
        BIWEEKLY = "biweekly", _("每两周")
        MONTHLY_DAY = "monthly_day", _("每月固定日期")
        MONTHLY_WEEKDAY = "monthly_weekday", _("每月第几个星期几")

    recurrence = models.CharField(_("重复规则"), max_length=20, choices=Recurrence.choices, blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("星期几"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text=_("0 = 周一,6 = 周日"),
    )
    # 1–4 = the first … fourth such weekday of the month, -1 = the last (每月最后一个周五).
    week_of_month = models.SmallIntegerField(
        _("第几周"), null=True, blank=True, validators=[MinValueValidator(-1), MaxValueValidator(4)]
    )
    # meetings.series.validate_rule refuses 29–31, which do not exist in every month (docs/lifecycle.md).
    month_day = models.PositiveSmallIntegerField(
        _("每月几号"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    first_date = models.DateField(_("首次会议日期"), null=True, blank=True)
    start_time = models.TimeField(_("默认开始时间"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("默认时长(分钟)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    participants = models.ManyToManyField(
        User, verbose_name=_("默认参会人员"), blank=True, related_name="meeting_series"
    )
    # [{"title": "…", "planned_minutes": 15}, …], copied into every new meeting of the series.
    template_agenda = models.JSONField(_("模板议程"), default=list, blank=True)
    create_days_ahead = models.PositiveSmallIntegerField(
        _("提前创建天数"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_("定时任务在会议前这么多天自动创建下一次会议。"),
    )
    visibility = models.CharField(
        _("可见范围"), max_length=20, choices=Visibility.choices, default=Visibility.PARTICIPANTS
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "会议系列")
        verbose_name_plural = pgettext_lazy("plural", "会议系列")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:series_detail", args=[self.pk])


class MeetingQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("chair", "recorder", "department", "series")


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_PROGRESS = "in_progress", _("进行中")
        SUBMITTED = "submitted", _("待审批")
        PUBLISHED = "published", _("已发布")

    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("会议系列"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    kind = models.CharField(
        _("会议类型"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    title = models.CharField(_("会议名称"), max_length=200)
    background = models.TextField(_("会议背景与目的"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    location = models.CharField(_("会议地点"), max_length=200, blank=True)
    chair = models.ForeignKey(
        User,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_meetings",
    )
    recorder = models.ForeignKey(
        User,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_meetings",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("组织部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    Visibility = Visibility

    visibility = models.CharField(
        _("可见范围"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.PARTICIPANTS,
        help_text=_("默认只有参会人员、组织部门负责人和相关行动项责任人可以查看。"),
    )
    is_confidential = models.BooleanField(
        _("机密会议"),
        default=False,
        help_text=_("整个会议保密:即使设为公开,也只有参会人员和组织部门负责人可以查看。"),
    )
    submitted_by = models.ForeignKey(
        User, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交审批时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        User, verbose_name=_("签发人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    summary = models.TextField(_("总结与展望"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "会议")
        verbose_name_plural = pgettext_lazy("plural", "会议")
        ordering = ["-starts_at", "-pk"]
        permissions = [("approve_meeting", "可审批和签发会议纪要")]
        indexes = [
            # The meeting list: newest first.
            models.Index(fields=["-starts_at"], name="meeting_starts_at_idx"),
            # The previous / next meeting of a series (carry-over review, "create next meeting").
            models.Index(fields=["series", "starts_at"], name="meeting_series_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])


class Attendance(models.Model):
    """One invited person or outside guest, with their role and whether they came."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("主持人")
        RECORDER = "recorder", _("记录人")
        # One person's role (Attendee), not the heading over everyone (Attendees).
        PARTICIPANT = "participant", pgettext_lazy("attendance role", "参会人员")
        OBSERVER = "observer", pgettext_lazy("attendance role", "列席人员")
        GUEST = "guest", pgettext_lazy("attendance role", "特邀人员")

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")
        EXCUSED = "excused", _("请假")
        LATE = "late", _("迟到")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        User,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    guest_name = models.CharField(_("嘉宾姓名"), max_length=64, blank=True)
    guest_organisation = models.CharField(_("嘉宾单位"), max_length=200, blank=True)
    role = models.CharField(_("身份"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    status = models.CharField(_("出席情况"), max_length=20, choices=Status.choices, default=Status.PRESENT)
    note = models.CharField(_("备注"), max_length=200, blank=True, help_text=_("如缺席或请假原因"))

    class Meta:
        verbose_name = pgettext_lazy("model", "参会记录")
        verbose_name_plural = pgettext_lazy("plural", "参会记录")
        ordering = ["meeting_id", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, guest_name="") | Q(user__isnull=True) & ~Q(guest_name=""),
                name="attendance_person_or_guest",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="attendance_unique_person"
            ),
        ]

    def __str__(self):
        return self.attendee_name

    @property
    def attendee_name(self) -> str:
        if self.user_id:
            return self.user.name
        if self.guest_organisation:
            return f"{self.guest_name}({self.guest_organisation})"
        return self.guest_name


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField(_("顺序"), default=0)
    day = models.PositiveSmallIntegerField(
        _("第几天"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("多日会议按天分组"),
    )
    title = models.CharField(_("议题"), max_length=200)
    presenter = models.ForeignKey(
        User, verbose_name=_("汇报人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned_minutes = models.PositiveSmallIntegerField(
        _("计划时长(分钟)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )

    class Kind(models.TextChoices):
        TOPIC = "topic", _("议题")
        # "上次会议行动项回顾": lists the series' open items (actions.review; templates/actions/_review.html).
        REVIEW = "review", _("上次会议行动项回顾")

    kind = models.CharField(_("议程类型"), max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    is_confidential = models.BooleanField(
        _("机密"), default=False, help_text=_("只有参会人员和组织部门负责人可见,不出现在通知邮件中。")
    )
    is_postponed = models.BooleanField(_("未讨论/顺延"), default=False)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("顺延自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "议程")
        verbose_name_plural = pgettext_lazy("plural", "议程")
        ordering = ["meeting_id", "day", "order", "pk"]

    def __str__(self):
        return self.title


class SpeakerReport(models.Model):
    """What one speaker reported under an agenda item (发言/汇报要点)."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="reports")
    speaker = models.ForeignKey(
        User, verbose_name=_("发言人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    speaker_name = models.CharField(_("发言人(外部)"), max_length=64, blank=True)
    content = models.TextField(_("汇报要点"))
    order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "汇报")
        verbose_name_plural = pgettext_lazy("plural", "汇报")
        ordering = ["agenda_item_id", "order", "pk"]

    def __str__(self):
        return f"{self.speaker_display}: {self.content[:30]}"

    @property
    def speaker_display(self) -> str:
        return self.speaker.display_name if self.speaker_id else self.speaker_name


class Decision(models.Model):
    """An issue block (问题描述 → 讨论 → 决定), numbered per meeting: 决议一, 决议二, …"""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("所属议程"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    number = models.PositiveIntegerField(_("编号"))
    problem = models.TextField(_("问题描述"), blank=True)
    discussion = models.TextField(_("讨论"), blank=True)
    text = models.TextField(_("决定"))
    is_confidential = models.BooleanField(
        _("机密"), default=False, help_text=_("只有参会人员和组织部门负责人可见,不出现在通知邮件中。")
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "决议")
        verbose_name_plural = pgettext_lazy("plural", "决议")
        ordering = ["meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_unique_number_per_meeting"),
        ]

    def __str__(self):
        return f"{self.label}:{self.text[:40]}"

    @property
    def label(self) -> str:
        return _("决议%(number)s") % {"number": ordinal_for_language(self.number)}


class MeetingVersion(models.Model):
    """A published version of the minutes: an immutable snapshot that the published PDF is rendered from.

    `content` is meetings.document.minutes_document(meeting) at the moment of publication and `sha256`
    the hash of its canonical JSON, so a circulated copy can be checked against the record."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    sha256 = models.CharField(_("内容摘要(SHA-256)"), max_length=64)
    published_by = models.ForeignKey(
        User, verbose_name=_("签发人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    # Set when this version is reopened for correction; the next publication becomes number + 1.
    reopened_by = models.ForeignKey(
        User, verbose_name=_("重新打开人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(_("重新打开时间"), null=True, blank=True)
    reopen_reason = models.TextField(_("重新打开原因"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "纪要版本")
        verbose_name_plural = pgettext_lazy("plural", "纪要版本")
        ordering = ["meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="meeting_version_unique_number"),
        ]

    def __str__(self):
        return f"{self.meeting} v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number}"


class MeetingComment(models.Model):
    """评论: a participant's remark on draft minutes, for the recorder and the chair."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        User, verbose_name=_("评论人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("评论"), max_length=2000)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "评论")
        verbose_name_plural = pgettext_lazy("plural", "评论")
        ordering = ["meeting_id", "created_at", "pk"]

    def __str__(self):
        return self.text[:40]


class MeetingLogEntry(models.Model):
    """One line of a meeting's history: who changed what, when. Action items keep theirs in
    actions.ProgressEntry; the meeting's history shows both."""

    # In the "history" context: a history line says what was done (English "Deleted", "Reopened"),
    # while the same Chinese words on a button say what to do ("Delete", "Reopen").
    class Verb(models.TextChoices):
        CREATED = "created", pgettext_lazy("history", "创建")
        UPDATED = "updated", pgettext_lazy("history", "修改")
        DELETED = "deleted", pgettext_lazy("history", "删除")
        STARTED = "started", pgettext_lazy("history", "开始会议")
        SUBMITTED = "submitted", pgettext_lazy("history", "提交审批")
        RETURNED = "returned", pgettext_lazy("history", "退回修改")
        PUBLISHED = "published", pgettext_lazy("history", "签发发布")
        REOPENED = "reopened", pgettext_lazy("history", "重新打开")
        POSTPONED = "postponed", pgettext_lazy("history", "顺延议程")
        COMMENTED = "commented", pgettext_lazy("history", "评论")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="log_entries")
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    verb = models.CharField(pgettext_lazy("history", "操作"), max_length=20, choices=Verb.choices)
    # What changed: "meeting", "agenda_item", "decision", "attendance", "report", "action".
    target = models.CharField(_("对象"), max_length=20, default="meeting")
    target_id = models.PositiveIntegerField(null=True, blank=True)
    target_label = models.CharField(_("对象名称"), max_length=200, blank=True)
    # {"field": [before, after]}, the same shape as actions.ProgressEntry.changes.
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # The line is about a confidential agenda item or decision, so it is hidden with it.
    is_confidential = models.BooleanField(default=False)

    class Meta:
        verbose_name = pgettext_lazy("model", "会议变更记录")
        verbose_name_plural = pgettext_lazy("plural", "会议变更记录")
        ordering = ["-at", "-pk"]
        indexes = [
            # The history panel on the meeting page: newest first.
            models.Index(fields=["meeting", "-at"], name="meeting_log_latest_idx"),
        ]

    def __str__(self):
        return f"{self.meeting_id} {self.verb} {self.target}"


class MeetingTemplate(models.Model):
    """会议模板: a meeting saved for reuse. A new meeting can start from one."""

    name = models.CharField(_("模板名称"), max_length=200)
    kind = models.CharField(
        _("会议类型"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    title = models.CharField(_("会议名称"), max_length=200)
    background = models.TextField(_("会议背景与目的"), blank=True)
    location = models.CharField(_("会议地点"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("时长(分钟)"), default=60)
    department = models.ForeignKey(
        Department,
        verbose_name=_("组织部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chair = models.ForeignKey(
        User, verbose_name=_("主持人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorder = models.ForeignKey(
        User, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    participants = models.ManyToManyField(User, verbose_name=_("参会人员"), blank=True, related_name="+")
    # [{"title": "…", "planned_minutes": 15}, …]
    agenda = models.JSONField(_("议程"), default=list, blank=True)
    visibility = models.CharField(
        _("可见范围"),
        max_length=20,
        choices=Meeting.Visibility.choices,
        default=Meeting.Visibility.PARTICIPANTS,
    )
    # From a 机密 meeting: seen and used only by its people (meetings.policy.template_visibility_q),
    # and the meetings made from it are 机密 too.
    is_confidential = models.BooleanField(_("机密"), default=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "会议模板")
        verbose_name_plural = pgettext_lazy("plural", "会议模板")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class MeetingNotice(models.Model):
    """An e-mail about a meeting to one person: a row of the outbox (config/outbox.py). The row, with
    its unique key, is written in the transaction that publishes or invites, before the message exists;
    sending claims it (pending → sending), so a retried task or a second worker cannot send it twice."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("会议通知")
        PUBLISHED = "published", _("纪要发布通知")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        # No longer current at send time: the minutes were reopened, the meeting moved, the recipient left.
        DROPPED = "dropped", _("已作废")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="meeting_notices")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    # What the notice is about: the version number for a publication, the start time for an invitation
    # (a rescheduled meeting sends a new one).
    key = models.CharField(max_length=40)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # When a send task was last handed to the broker (or is due to run, for a retry): the sweep queues
    # again only rows whose task should have run long ago.
    queued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # Why it was dropped, for administrators ("纪要已重新打开").
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "会议邮件")
        verbose_name_plural = pgettext_lazy("plural", "会议邮件")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recipient", "kind", "key"], name="meeting_notice_unique_per_key"
            ),
        ]
        indexes = [
            # The outbox sweep: what is left unsent. Partial, so it stays as small as the backlog.
            models.Index(
                fields=["state", "queued_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="meeting_notice_unfinished_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"


class EditorAddition(models.Model):
    """A block added in the live editor, under the key the browser made for it before sending. The
    browser queues an addition like any save and may send it again (the answer was lost, the page was
    reloaded); the same key then answers with the block already created instead of making a copy."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="editor_additions")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "编辑器新增记录")
        verbose_name_plural = pgettext_lazy("plural", "编辑器新增记录")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "key"], name="editor_addition_unique_key"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} ({self.key})"
