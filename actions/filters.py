"""The filters of 部门行动项 / 全部行动项 and their exports: one FilterSet, so the list and the file
always hold the same rows. Everything lives in GET parameters, so a filtered URL can be shared."""

import datetime

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem, DeadlineChange, Priority, Status, local_today
from meetings.forms import check_year
from meetings.models import Meeting, MeetingSeries, User

DATE_ERROR = _("日期格式不正确,请按“2026-11-22”的格式填写。")
DAYS_ERROR = _("请填写 1 到 3650 之间的整数天数。")

# Status in the order a manager reads it: still to do, then paused, then finished.
STATUS_RANK = Case(
    *(
        When(status=status, then=Value(rank))
        for rank, status in enumerate(
            (Status.NOT_STARTED, Status.IN_PROGRESS, Status.ON_HOLD, Status.DONE, Status.CANCELLED)
        )
    ),
    default=Value(9),
    output_field=IntegerField(),
)


class PlainSelect(forms.Select):
    """A <select> whose options are written here rather than through Django's template per option.
    The filters offer up to a hundred people and meetings on every page view, and rendering each
    option with its own template was half the cost of 部门行动项."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        selected = mark_safe(" selected")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], selected if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        attributes = flatatt(widget["attrs"])
        return format_html('<select name="{}"{}>{}</select>', widget["name"], attributes, options)


# ?sort= whitelist: URL value → what it orders by. "-value" reverses. Anything else is ignored.
SORTS = {
    "due_date": F("due_date"),
    "title": F("title"),
    "status": STATUS_RANK,
    "progress": F("progress"),
    "postponements": F("postponement_count"),
    "reassignments": F("reassignment_count"),
    "last_update": F("last_update_at"),
}


def sort_order(value: str) -> tuple | None:
    """The ORDER BY for a whitelisted ?sort= value, or None for anything else."""
    key = value.removeprefix("-")
    if key not in SORTS:
        return None
    expression = SORTS[key]
    ordered = expression.desc(nulls_last=True) if value.startswith("-") else expression.asc(nulls_last=True)
    return (ordered, "pk")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class MarkInvalidMixin:
    """Bootstrap shows a field's message only next to an input marked is-invalid."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class ActionFilterForm(MarkInvalidMixin, forms.Form):
    def clean(self):
        cleaned = super().clean()
        for name in ("due_from", "due_to"):
            try:
                check_year(cleaned.get(name), _("完成时限"))
            except forms.ValidationError as error:
                self.add_error(name, error)
        start, end = cleaned.get("due_from"), cleaned.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", _("结束日期不能早于开始日期。"))
        return cleaned


MEETING_CHOICES = 60


class ActionItemFilter(django_filters.FilterSet):
    """A filter whose value is malformed is ignored and shows its message; the others still apply."""

    status = django_filters.MultipleChoiceFilter(
        label=_("状态"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("责任人"),
        queryset=User.objects.none(),
        method="filter_owner",
        empty_label=_("全部"),
        widget=PlainSelect,
    )
    overdue = django_filters.BooleanFilter(
        label=_("只看逾期"), method="filter_overdue", widget=forms.CheckboxInput
    )
    pending_change = django_filters.BooleanFilter(
        label=_("只看延期待审批"), method="filter_pending_change", widget=forms.CheckboxInput
    )
    due_from = django_filters.DateFilter(
        label=_("完成时限从"),
        field_name="due_date",
        lookup_expr="gte",
        widget=DateInput(),
        error_messages={"invalid": DATE_ERROR},
    )
    due_to = django_filters.DateFilter(
        label=_("至"),
        field_name="due_date",
        lookup_expr="lte",
        widget=DateInput(),
        error_messages={"invalid": DATE_ERROR},
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("来源会议"), queryset=Meeting.objects.none(), empty_label=_("全部"), widget=PlainSelect
    )
    series = django_filters.ModelChoiceFilter(
        label=_("会议系列"),
        field_name="meeting__series",
        queryset=MeetingSeries.objects.none(),
        empty_label=_("全部"),
        widget=PlainSelect,
    )
    priority = django_filters.ChoiceFilter(
        label=_("优先级"), choices=Priority.choices, empty_label=_("全部"), widget=PlainSelect
    )
    stale_days = IntegerFilter(
        label=_("未更新超过(天)"),
        method="filter_stale",
        min_value=1,
        max_value=3650,
        help_text=_("只看未完成的事项"),
        error_messages={
            "invalid": DAYS_ERROR,
            "min_value": DAYS_ERROR,
            "max_value": DAYS_ERROR,
        },
    )
    sort = django_filters.CharFilter(method="filter_sort", widget=forms.HiddenInput)

    class Meta:
        model = ActionItem
        fields: list[str] = []
        form = ActionFilterForm

    def __init__(self, data=None, queryset=None, *, people, meetings, today: datetime.date | None = None):
        """`people`, `meetings`: the choices for 责任人 and 来源会议 in the current scope."""
        super().__init__(data, queryset=queryset)
        self.today = today or local_today()
        fields = self.form.fields
        fields["owner"].queryset = people
        fields["owner"].label_from_instance = lambda user: user.display_name
        # The newest meetings in scope, plus the one already chosen (a shared link may name an older one):
        # a department can have hundreds of meetings, and every option is rendered on each page view.
        recent = Q(pk__in=meetings.order_by("-starts_at", "-pk").values("pk")[:MEETING_CHOICES])
        chosen = (data or {}).get("meeting")
        if chosen and str(chosen).isdigit():
            recent |= Q(pk=int(chosen))
        fields["meeting"].queryset = meetings.filter(recent).order_by("-starts_at", "-pk")
        # The ISO date: a long date with its weekday, formatted for each of 60 options, is slow.
        fields["meeting"].label_from_instance = lambda m: f"{m.title}({timezone.localdate(m.starts_at)})"
        fields["series"].queryset = MeetingSeries.objects.filter(pk__in=meetings.values("series")).order_by(
            "title"
        )
        for field in fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            elif isinstance(field.widget, forms.DateInput | forms.NumberInput):
                field.widget.attrs["class"] = "form-control form-control-sm"
            elif isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"

    @property
    def active(self) -> bool:
        """Whether any filter (not just the sort) is set: the page says "筛选结果" then."""
        return any(self.data.get(name) for name in self.filters if name != "sort")

    def filter_owner(self, queryset, name, value):
        # Whoever answers for the item: a person owner, or the head of a department owner.
        return queryset.filter(pk__in=ActionItem.objects.owned_by(value).values("pk"))

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(self.today) if value else queryset

    def filter_pending_change(self, queryset, name, value):
        if not value:
            return queryset
        waiting = DeadlineChange.objects.filter(state=DeadlineChange.State.PENDING).values("action_id")
        return queryset.filter(pk__in=waiting)

    def filter_stale(self, queryset, name, value):
        since = timezone.make_aware(
            datetime.datetime.combine(self.today - datetime.timedelta(days=value), datetime.time.min)
        )
        return queryset.open().filter(Q(last_update_at__lt=since) | Q(last_update_at__isnull=True))

    def filter_sort(self, queryset, name, value):
        order = sort_order(value)
        return queryset.order_by(*order) if order else queryset
