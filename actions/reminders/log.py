"""The reminders page for administrators: every reminder with its robot deliveries, filterable."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from actions.models import DeliveryState, Reminder, RobotChannel, RobotDelivery

EMAIL, ROBOT = "email", "robot"


def reminders_for_log():
    """Named for its page; its cost is pinned by a test: one query for the page, one for the robots."""
    failed = RobotDelivery.objects.filter(reminder=OuterRef("pk"), state=DeliveryState.FAILED)
    return (
        Reminder.objects.select_related("action", "recipient")
        .annotate(has_failed_delivery=Exists(failed))
        .prefetch_related(
            Prefetch(
                "robot_deliveries", queryset=RobotDelivery.objects.select_related("channel").order_by("pk")
            )
        )
    )


def channel_choices():
    choices = [(EMAIL, _("邮件")), (ROBOT, _("任意群机器人"))]
    choices += [(f"robot:{pk}", name) for pk, name in RobotChannel.objects.values_list("pk", "name")]
    return choices


class ReminderLogFilter(django_filters.FilterSet):
    """state: the reminder's own state, or that of one of its robot deliveries (so 发送失败 finds a failed
    e-mail as well as a failed robot message); with a channel chosen, only that channel's state counts."""

    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=Reminder.State.choices, method="filter_state", empty_label=_("全部")
    )
    channel = django_filters.ChoiceFilter(
        label=_("渠道"), choices=channel_choices, method="filter_noop", empty_label=_("全部")
    )
    recipient = django_filters.CharFilter(label=_("接收人"), method="filter_recipient")

    class Meta:
        model = Reminder
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together with the state in filter_queryset

    def filter_state(self, queryset, name, value):
        return queryset  # see filter_queryset

    def filter_recipient(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(recipient__name__icontains=value)
            | Q(recipient__username__icontains=value)
            | Q(recipient__email__icontains=value)
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        state, channel = self.form.cleaned_data.get("state"), self.form.cleaned_data.get("channel")
        deliveries = RobotDelivery.objects.all()
        if channel and channel.startswith("robot:"):
            deliveries = deliveries.filter(channel_id=int(channel.split(":", 1)[1]))
        if channel and channel != EMAIL:
            if state:
                deliveries = deliveries.filter(state=state)
            return queryset.filter(pk__in=deliveries.values("reminder_id"))
        if channel == EMAIL:
            return queryset.filter(state=state) if state else queryset
        if state:
            return queryset.filter(
                Q(state=state) | Q(pk__in=deliveries.filter(state=state).values("reminder_id"))
            )
        return queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("state", "channel"):
            self.filters[name].extra["widget"] = forms.Select(attrs={"class": "form-select form-select-sm"})
        self.filters["recipient"].extra["widget"] = forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("姓名、用户名或邮箱")}
        )
