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
        return cls.subtree_ids(cls.objects.filter(head=user).values_list("pk", flat=True))

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

    class Meta:
        verbose_name = pgettext_lazy("model", "会议系列")
        verbose_name_plural = pgettext_lazy("plural", "会议系列")
        ordering = ["title"]

    def __str__(self):
        return self.title


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
    is_confidential = models.BooleanField(
        _("内部会议"),
        default=False,
        help_text=_("勾选后,只有参会人员、组织部门成员和相关行动项责任人可以查看。"),
    )
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
        indexes = [
            # The meeting list: newest first.
            models.Index(fields=["-starts_at"], name="meeting_starts_at_idx"),
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
        PARTICIPANT = "participant", _("参会人员")
        OBSERVER = "observer", _("列席人员")
        GUEST = "guest", _("特邀人员")

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
