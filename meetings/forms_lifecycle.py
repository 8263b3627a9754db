"""Forms for the minutes' life: approval, comments, the carry-over review, series and templates."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meetings.forms import (
    PeopleChoiceField,
    PeopleMultipleChoiceField,
    _CrispyForm,
    active_people,
    bounded_text,
    check_year,
    limit_text,
)
from meetings.models import MeetingSeries, MeetingTemplate
from meetings.series import ORDINALS, WEEKDAYS, clean_agenda, validate_rule

RULE_FIELDS = ("recurrence", "weekday", "week_of_month", "month_day", "first_date", "start_time")


class ReturnForm(forms.Form):
    comment = bounded_text(
        2000,
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("退回修改时请写明需要修改的地方。")},
    )


class ReopenForm(forms.Form):
    reason = bounded_text(
        2000,
        label=_("重新打开原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("重新打开已发布的纪要必须说明原因。")},
    )


class CommentForm(forms.Form):
    text = bounded_text(
        2000,
        label=_("评论"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("对纪要草稿的意见或补充")}),
        error_messages={"required": _("请填写评论内容。")},
    )


class TemplateNameForm(forms.Form):
    name = bounded_text(200, label=_("模板名称"), error_messages={"required": _("请填写模板名称。")})


def _weekday_choices():
    return [("", "—")] + [(str(n), label) for n, label in enumerate(WEEKDAYS)]


class SeriesForm(_CrispyForm, forms.ModelForm):
    submit_label = _("保存系列")
    chair = PeopleChoiceField(queryset=active_people(), label=_("默认主持人"), required=False)
    recorder = PeopleChoiceField(queryset=active_people(), label=_("默认记录人"), required=False)
    participants = PeopleMultipleChoiceField(
        queryset=active_people(),
        label=_("默认参会人员"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    weekday = forms.TypedChoiceField(label=_("星期几"), coerce=int, empty_value=None, required=False)
    week_of_month = forms.TypedChoiceField(
        label=_("每月第几个"), coerce=int, empty_value=None, required=False
    )
    agenda_text = forms.CharField(
        label=_("模板议程"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个议题。每次会议会先列“上次会议行动项回顾”,再列这些议题。"),
    )

    class Meta:
        model = MeetingSeries
        fields = [
            "title",
            "kind",
            "department",
            "chair",
            "recorder",
            "participants",
            "recurrence",
            "weekday",
            "week_of_month",
            "month_day",
            "first_date",
            "start_time",
            "duration_minutes",
            "default_location",
            "visibility",
            "create_days_ahead",
        ]
        widgets = {
            "first_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chair", "recorder", "participants"):
            self.fields[name].queryset = active_people()
        self.fields["weekday"].choices = _weekday_choices()
        self.fields["week_of_month"].choices = [("", "—")] + [(str(k), v) for k, v in ORDINALS.items()]
        self.fields["recurrence"].required = True
        self.fields["recurrence"].error_messages["required"] = _(
            "请选择重复规则:每周、每两周、每月固定日期或每月第几个星期几。"
        )
        self.fields["first_date"].required = True
        self.fields["start_time"].required = True
        limit_text(self.fields["agenda_text"])
        if self.instance.pk and not self.is_bound:
            self.initial["agenda_text"] = "\n".join(e["title"] for e in self.instance.template_agenda)
        self.helper = self._helper()

    def clean(self):
        cleaned = super().clean()
        check_year(cleaned.get("first_date"), _("首次会议日期"))
        cleaned["template_agenda"] = clean_agenda(cleaned.get("agenda_text") or "")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        self.instance.template_agenda = self.cleaned_data.get("template_agenda", [])
        if self.errors:
            return
        # The rule's own check explains each refusal (e.g. why not day 31) next to the field.
        probe = MeetingSeries(**{f: self.cleaned_data.get(f) for f in RULE_FIELDS})
        if probe.recurrence in (MeetingSeries.Recurrence.WEEKLY, MeetingSeries.Recurrence.BIWEEKLY):
            probe.weekday = probe.weekday if probe.weekday is not None else probe.first_date.weekday()
        try:
            validate_rule(probe)
        except ValidationError as exc:
            self._update_errors(exc)


class FromTemplateForm(_CrispyForm, forms.Form):
    submit_label = _("创建会议")
    title = bounded_text(200, label=_("会议名称"), required=False)
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, template: MeetingTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].initial = template.title
        self.helper = self._helper()

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        check_year(value, _("开始时间"))
        return value
