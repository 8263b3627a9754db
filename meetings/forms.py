import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connections
from django.utils.translation import gettext_lazy as _

from meetings import policy
from meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingSeries, SpeakerReport, User

# Long enough for a two-day strategy meeting's notes, short enough to stop a pasted file.
MAX_TEXT = 50_000
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


TOO_LONG = _("内容过长:最多 %(limit_value)s 字,当前 %(show_value)s 字。")


def limit_text(field: forms.Field, limit: int = MAX_TEXT) -> None:
    """At most `limit` characters, checked on the server. No maxlength attribute: a browser cuts a
    longer paste off without a word, while the server's message says so and the form keeps the text.
    Replaces the field's own length check (Django's wording), so the user reads one message."""
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(MaxLengthValidator(limit, message=TOO_LONG))
    field.widget.attrs.pop("maxlength", None)


def limit_all_text(form: forms.BaseForm) -> None:
    """limit_text for every text field of a form that has a length: titles, places, names."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and field.max_length:
            limit_text(field, field.max_length)


def bounded_text(limit: int, **kwargs) -> forms.CharField:
    """A text field of at most `limit` characters (limit_text), for the short boxes: comments,
    reasons, names. Rendered without maxlength, so nothing pasted is cut off silently."""
    field = forms.CharField(**kwargs)
    limit_text(field, limit)
    return field


def check_year(value, field_label) -> None:
    if value and not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
        raise forms.ValidationError(
            _("%(field)s的年份应在 %(start)s 到 %(end)s 之间。"),
            params={"field": field_label, "start": EARLIEST_YEAR, "end": LATEST_YEAR},
        )


class PeopleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several rows chosen by id. An id beyond the database's integer range gets the field's usual
    message: Django guards a single `pk=` against it, but not the `pk__in=` this field queries with,
    where SQLite raises OverflowError and PostgreSQL an out-of-range error."""

    def _check_values(self, value):
        meta = self.queryset.model._meta
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        low, high = connections[self.queryset.db].ops.integer_field_ranges.get(
            field.get_internal_type(), (None, None)
        )
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: the parent's check names it
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class PeopleMultipleChoiceField(IdsChoiceField):
    def label_from_instance(self, user):
        return user.display_name


def active_people():
    return User.objects.filter(is_active=True).order_by("name")


class _CrispyForm:
    submit_label = _("保存")
    # Several forms share one page: a prefix keeps their element ids (and so their labels) apart.
    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        limit_all_text(self)

    def _helper(self, action: str = "") -> FormHelper:
        helper = FormHelper()
        helper.form_action = action
        helper.add_input(Submit("submit", self.submit_label))
        return helper


class MeetingForm(_CrispyForm, forms.ModelForm):
    submit_label = _("创建会议")
    chair = PeopleChoiceField(queryset=active_people(), label=_("主持人"), required=False)
    recorder = PeopleChoiceField(queryset=active_people(), label=_("记录人"), required=False)

    class Meta:
        model = Meeting
        fields = [
            "title",
            "kind",
            "series",
            "starts_at",
            "ends_at",
            "location",
            "chair",
            "recorder",
            "department",
            "visibility",
            "is_confidential",
            "background",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "background": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = active_people()
        self.fields["recorder"].queryset = active_people()
        # A meeting joins only a series its creator may manage: joining one makes its earlier items
        # part of this meeting's review.
        self.fields["series"].queryset = MeetingSeries.objects.filter(
            policy.manageable_series_q(user)
        ).order_by("title")
        self.fields["series"].error_messages["invalid_choice"] = _("请选择您负责的会议系列。")
        self.fields["visibility"].required = False  # left out: the model's default, participants only
        limit_text(self.fields["background"])
        self.helper = self._helper()

    def clean_visibility(self):
        return self.cleaned_data.get("visibility") or Meeting.Visibility.PARTICIPANTS

    # The year is checked per field, so the message sits next to the field and a time that fails it
    # never reaches the arithmetic below or the database's start/end constraint: year 1 in Shanghai is
    # year 0 in UTC, which Python cannot represent (OverflowError, a 500 on SQLite).
    def clean_starts_at(self):
        check_year(self.cleaned_data.get("starts_at"), _("开始时间"))
        return self.cleaned_data.get("starts_at")

    def clean_ends_at(self):
        check_year(self.cleaned_data.get("ends_at"), _("结束时间"))
        return self.cleaned_data.get("ends_at")

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at:
            if ends_at < starts_at:
                self.add_error("ends_at", _("结束时间不能早于开始时间。"))
            elif ends_at - starts_at > datetime.timedelta(days=14):
                self.add_error("ends_at", _("会议时长不能超过 14 天,请检查结束时间。"))
        return cleaned


class AttendanceForm(_CrispyForm, forms.ModelForm):
    id_prefix = "attendance"
    submit_label = _("添加")
    user = PeopleChoiceField(queryset=active_people(), label=_("人员"), required=False)

    class Meta:
        model = Attendance
        fields = ["user", "guest_name", "guest_organisation", "role", "status", "note"]

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["user"].queryset = active_people()
        self.helper = self._helper()

    def clean(self):
        cleaned = super().clean()
        user, guest = cleaned.get("user"), (cleaned.get("guest_name") or "").strip()
        if not user and not guest:
            raise forms.ValidationError(_("请选择一位人员,或填写特邀嘉宾的姓名。"))
        if user and self.meeting.attendances.filter(user=user).exists():
            self.add_error("user", _("%(name)s 已在参会名单中。") % {"name": user.name})
        return cleaned

    def validate_constraints(self):
        pass  # the meeting is set by the service; clean() already checks duplicates


class AgendaItemForm(_CrispyForm, forms.ModelForm):
    id_prefix = "agenda"
    submit_label = _("添加议程")
    presenter = PeopleChoiceField(queryset=active_people(), label=_("汇报人"), required=False)

    class Meta:
        model = AgendaItem
        fields = ["title", "presenter", "planned_minutes", "day", "is_confidential"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = active_people()
        self.helper = self._helper()


class SpeakerReportForm(_CrispyForm, forms.ModelForm):
    id_prefix = "report"
    submit_label = _("添加汇报")
    speaker = PeopleChoiceField(queryset=active_people(), label=_("发言人"), required=False)
    agenda_item = forms.ModelChoiceField(queryset=AgendaItem.objects.none(), label=_("议程"))

    class Meta:
        model = SpeakerReport
        fields = ["agenda_item", "speaker", "speaker_name", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = active_people()
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(meeting=meeting)
        limit_text(self.fields["content"])
        self.helper = self._helper()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("speaker") and not (cleaned.get("speaker_name") or "").strip():
            self.add_error("speaker", _("请选择发言人,或填写外部发言人的姓名。"))
        return cleaned


class DecisionForm(_CrispyForm, forms.ModelForm):
    id_prefix = "decision"
    submit_label = _("添加决议")
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(), label=_("所属议程"), required=False
    )

    class Meta:
        model = Decision
        fields = ["agenda_item", "problem", "discussion", "text", "is_confidential"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 2}),
            "discussion": forms.Textarea(attrs={"rows": 3}),
            "text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(meeting=meeting)
        for name in ("problem", "discussion", "text"):
            limit_text(self.fields[name])
        self.helper = self._helper()
