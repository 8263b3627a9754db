from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Department,
    Meeting,
    MeetingSeries,
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
    list_display = ["title", "kind", "department", "chair", "recorder"]
    list_filter = ["kind", "department"]
    search_fields = ["title"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["user"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    autocomplete_fields = ["presenter"]


class DecisionInline(admin.StackedInline):
    model = Decision
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "department", "chair", "status", "is_confidential"]
    list_filter = ["status", "kind", "is_confidential", "department", "series"]
    search_fields = ["title", "background", "summary"]
    date_hierarchy = "starts_at"
    list_select_related = ["department", "chair"]
    autocomplete_fields = ["chair", "recorder", "created_by"]
    inlines = [AttendanceInline, AgendaItemInline, DecisionInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "day", "order", "presenter", "planned_minutes"]
    list_filter = ["meeting__kind"]
    search_fields = ["title", "meeting__title"]
    list_select_related = ["meeting", "presenter"]


@admin.register(SpeakerReport)
class SpeakerReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agenda_item", "speaker"]
    search_fields = ["content", "speaker_name", "speaker__name"]
    list_select_related = ["agenda_item", "speaker"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["label", "meeting", "text"]
    list_filter = ["meeting__kind"]
    search_fields = ["text", "problem", "discussion", "meeting__title"]
    list_select_related = ["meeting"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["attendee_name", "meeting", "role", "status"]
    list_filter = ["role", "status"]
    search_fields = ["user__name", "guest_name", "meeting__title"]
    list_select_related = ["meeting", "user"]
