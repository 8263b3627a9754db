from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Department,
    Meeting,
    MeetingNotice,
    MeetingSeries,
    MeetingTemplate,
    MeetingVersion,
    SpeakerReport,
    User,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "head", "order"]
    list_filter = ["parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "head"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "department", "job_title", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "department", "language"]
    search_fields = ["username", "name", "aliases", "email"]
    ordering = ["name"]
    autocomplete_fields = ["department"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["name", "aliases", "email", "department", "job_title", "language"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "name", "password1", "password2"]})]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "recurrence", "department", "chair", "recorder", "is_active"]
    list_filter = ["kind", "recurrence", "is_active", "department"]
    search_fields = ["title"]
    filter_horizontal = ["participants"]


@admin.register(MeetingVersion)
class MeetingVersionAdmin(admin.ModelAdmin):
    """Published snapshots are the record: nobody edits or deletes them here."""

    list_display = ["meeting", "number", "published_by", "published_at", "sha256"]
    list_select_related = ["meeting", "published_by"]
    search_fields = ["meeting__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeetingTemplate)
class MeetingTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department", "created_by", "created_at"]
    search_fields = ["name", "title"]
    filter_horizontal = ["participants"]


def _published(meeting) -> bool:
    return meeting is not None and meeting.status == Meeting.Status.PUBLISHED


class PublishedLockMixin:
    """Published minutes change only by reopening them (meetings.lifecycle), so the admin shows them
    read-only to everyone but superusers, who may repair data."""

    def _meeting_of(self, obj):
        return obj if isinstance(obj, Meeting) else getattr(obj, "meeting", None)

    def has_change_permission(self, request, obj=None):
        if obj is not None and _published(self._meeting_of(obj)) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _published(self._meeting_of(obj)) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class LockedInlineMixin:
    """Inlines get the parent meeting as `obj`."""

    def has_add_permission(self, request, obj=None):
        if _published(obj) and not request.user.is_superuser:
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if _published(obj) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if _published(obj) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class AttendanceInline(LockedInlineMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["user"]


class AgendaItemInline(LockedInlineMixin, admin.TabularInline):
    model = AgendaItem
    extra = 0
    autocomplete_fields = ["presenter"]


class DecisionInline(LockedInlineMixin, admin.StackedInline):
    model = Decision
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(PublishedLockMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "starts_at",
        "department",
        "chair",
        "status",
        "visibility",
        "is_confidential",
    ]
    list_filter = ["status", "kind", "visibility", "is_confidential", "department", "series"]
    search_fields = ["title", "background", "summary"]
    date_hierarchy = "starts_at"
    list_select_related = ["department", "chair"]
    autocomplete_fields = ["chair", "recorder", "created_by"]
    inlines = [AttendanceInline, AgendaItemInline, DecisionInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(PublishedLockMixin, admin.ModelAdmin):
    list_display = ["title", "meeting", "day", "order", "presenter", "planned_minutes"]
    list_filter = ["meeting__kind"]
    search_fields = ["title", "meeting__title"]
    list_select_related = ["meeting", "presenter"]


@admin.register(SpeakerReport)
class SpeakerReportAdmin(PublishedLockMixin, admin.ModelAdmin):
    def _meeting_of(self, obj):
        return obj.agenda_item.meeting

    list_display = ["__str__", "agenda_item", "speaker"]
    search_fields = ["content", "speaker_name", "speaker__name"]
    list_select_related = ["agenda_item", "speaker"]


@admin.register(Decision)
class DecisionAdmin(PublishedLockMixin, admin.ModelAdmin):
    list_display = ["label", "meeting", "text"]
    list_filter = ["meeting__kind"]
    search_fields = ["text", "problem", "discussion", "meeting__title"]
    list_select_related = ["meeting"]


@admin.register(Attendance)
class AttendanceAdmin(PublishedLockMixin, admin.ModelAdmin):
    list_display = ["attendee_name", "meeting", "role", "status"]
    list_filter = ["role", "status"]
    search_fields = ["user__name", "guest_name", "meeting__title"]
    list_select_related = ["meeting", "user"]


@admin.register(MeetingNotice)
class MeetingNoticeAdmin(admin.ModelAdmin):
    """The outbox rows of meeting e-mails, for operators: what was sent, what failed and why, what was
    dropped as no longer current. Read-only: the dispatcher writes them."""

    list_display = ["meeting", "recipient", "kind", "state", "attempts", "sent_at", "note"]
    list_filter = ["state", "kind"]
    search_fields = ["meeting__title", "recipient__name"]
    list_select_related = ["meeting", "recipient"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in MeetingNotice._meta.fields]

    def has_add_permission(self, request):
        return False
