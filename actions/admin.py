from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from actions.models import (
    ActionItem,
    ActionOwner,
    CalendarFeed,
    ProgressEntry,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
    RobotChannel,
    RobotDelivery,
    local_today,
)


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已逾期")), ("no", _("未逾期"))]

    def queryset(self, request, queryset):
        overdue = queryset.model.objects.overdue(local_today()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class OwnerInline(admin.TabularInline):
    model = ActionOwner
    extra = 0
    autocomplete_fields = ["user", "department"]


class ProgressInline(admin.TabularInline):
    model = ProgressEntry
    extra = 0
    readonly_fields = ["author", "created_at", "changes", "note"]
    can_delete = False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "status", "progress", "due_date", "deadline_kind", "overdue"]
    list_filter = ["status", OverdueFilter, "deadline_kind", "priority", "deadline_is_estimate"]
    search_fields = ["title", "description", "deadline_text", "meeting__title"]
    date_hierarchy = "due_date"
    list_select_related = ["meeting"]
    autocomplete_fields = ["meeting", "decisions", "completed_by", "created_by"]
    inlines = [OwnerInline, ProgressInline]

    @admin.display(boolean=True, description=_("逾期"))
    def overdue(self, action):
        return action.is_overdue


@admin.register(ProgressEntry)
class ProgressEntryAdmin(admin.ModelAdmin):
    list_display = ["action", "author", "created_at", "note"]
    search_fields = ["note", "action__title"]
    list_select_related = ["action", "author"]


class RobotDeliveryInline(admin.TabularInline):
    model = RobotDelivery
    extra = 0
    can_delete = False
    fields = ["channel", "state", "attempts", "sent_at", "error"]
    readonly_fields = fields


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The full record; the page for operators (filters by channel, 重新发送) is actions:reminders."""

    list_display = ["action", "recipient", "kind", "slot", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind", "slot"]
    search_fields = ["action__title", "recipient__name"]
    list_select_related = ["action", "recipient"]
    inlines = [RobotDeliveryInline]


@admin.register(RobotChannel)
class RobotChannelAdmin(admin.ModelAdmin):
    """Read-only here: the webhook and its secret are credentials, changed only on the 群机器人 page,
    which never shows them in full."""

    list_display = ["name", "platform", "department", "series", "masked_url", "enabled"]
    list_filter = ["platform", "enabled"]
    search_fields = ["name"]
    list_select_related = ["department", "series"]
    fields = ["name", "platform", "department", "series", "masked_url", "enabled", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Webhook 地址"))
    def masked_url(self, channel):
        return channel.masked_url


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__name", "user__username"]
    list_select_related = ["user"]
    # The token is a credential: not listed, not searchable; reset it from the user's calendar page.
    exclude = ["token"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """部门提醒规则: a department's own reminder days; empty fields follow the department above."""

    list_display = ["department", "upcoming_days", "overdue_every_days", "escalation_days", "quiet_weekdays"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "support_reminders", "email", "robot", "time_zone"]
    list_filter = ["mode", "email", "robot", "time_zone"]
    search_fields = ["user__name", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
