from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem, ActionOwner, DeadlineKind, Status, local_today
from actions.services import deadline_from
from meetings.forms import (
    IdsChoiceField,
    PeopleChoiceField,
    PeopleMultipleChoiceField,
    _CrispyForm,
    active_people,
    bounded_text,
    check_year,
    limit_text,
)
from meetings.models import Decision, Department, Meeting, User

WEEKDAY_LABELS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


class ActionItemForm(_CrispyForm, forms.ModelForm):
    """An action item from the meeting page: its deadline is the words said and, where one is picked,
    a date, read by the same rule as in the live editor (actions.services.deadline_from)."""

    submit_label = _("添加行动项")
    id_prefix = "action"
    lead_user = PeopleChoiceField(queryset=active_people(), label=_("牵头人"), required=False)
    lead_department = forms.ModelChoiceField(
        queryset=Department.objects.all(),
        label=_("牵头部门"),
        required=False,
        help_text=_("由部门负责人对该事项负责"),
    )
    support_users = PeopleMultipleChoiceField(
        queryset=active_people(),
        label=_("配合人"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    class Meta:
        model = ActionItem
        fields = [
            "title",
            "description",
            "decisions",
            "due_date",
            "deadline_text",
            "checkin_days",
            "priority",
        ]
        field_classes = {"decisions": IdsChoiceField}
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "deadline_text": _(
                "会上的原话,例如:两周内、下次例会前、持续进行、每周五。选了完成日期时以所选日期为准。"
            ),
        }

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["lead_user"].queryset = active_people()
        self.fields["support_users"].queryset = active_people()
        self.fields["decisions"].queryset = Decision.objects.filter(meeting=meeting)
        self.fields["decisions"].label_from_instance = lambda d: d.label
        limit_text(self.fields["description"])
        self.fields["checkin_days"].required = False
        self.helper = self._helper()

    def clean_checkin_days(self):
        return self.cleaned_data.get("checkin_days") or ActionItem._meta.get_field("checkin_days").default

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("lead_user") and not cleaned.get("lead_department"):
            self.add_error("lead_user", _("请指定牵头人或牵头部门。"))
        due_date = cleaned.get("due_date")
        check_year(due_date, _("完成时限"))
        if "due_date" in cleaned and "deadline_text" in cleaned:
            deadline = deadline_from(cleaned["deadline_text"], due_date, self.meeting)
            if deadline.kind in (DeadlineKind.DATE, DeadlineKind.RELATIVE) and not deadline.due_date:
                # The editor keeps such an item and flags it; this form has no place to flag it in.
                self.add_error(
                    "due_date", _("请填写完成日期,或在时限原文中写明“两周内”“持续进行”“每周五”等。")
                )
        return cleaned

    def owners(self) -> list[tuple[User | Department, str]]:
        owners = []
        if self.cleaned_data.get("lead_user"):
            owners.append((self.cleaned_data["lead_user"], ActionOwner.Role.LEAD))
        if self.cleaned_data.get("lead_department"):
            owners.append((self.cleaned_data["lead_department"], ActionOwner.Role.LEAD))
        lead = self.cleaned_data.get("lead_user")
        owners += [
            (u, ActionOwner.Role.SUPPORT) for u in self.cleaned_data.get("support_users", []) if u != lead
        ]
        return owners


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("完成说明"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self.fields["note"])


# Owner-facing forms of 我的行动项 and the item page (views/items.py, views/item_edit.py).
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
PROGRESS_RANGE_MESSAGE = _("进度应在 0 到 100 之间。")


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("进度(%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("请填写进度(0–100)。"),
            "invalid": _("请输入 0 到 100 之间的整数。"),
            "min_value": PROGRESS_RANGE_MESSAGE,
            "max_value": PROGRESS_RANGE_MESSAGE,
        },
    )
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self.fields["note"])


class NoteForm(forms.Form):
    note = forms.CharField(label=_("进展说明"), required=False)
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self.fields["note"])

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("附件不能超过 10 MB,当前文件约 %(size).1f MB。请压缩后再上传。"),
                params={"size": upload.size / 1024 / 1024},
                code="too_large",
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("note", "").strip() and not cleaned.get("attachment"):
            self.add_error("note", _("请填写进展说明或上传附件。"))
        return cleaned


def check_new_due_date(day) -> None:
    """A new deadline, asked for by an owner or set in bulk by a manager: a plausible year, and not
    already past (moving an item straight into 逾期 is never what was meant)."""
    check_year(day, _("新的完成时限"))
    if day < local_today():
        raise forms.ValidationError(_("新的完成时限不能早于今天。"), code="past")


class DeadlineRequestForm(forms.Form):
    new_due_date = forms.DateField(
        label=_("新的完成时限"), error_messages={"required": _("请选择新的完成日期。")}
    )
    reason = forms.CharField(label=_("原因"), error_messages={"required": _("请说明需要调整时限的原因。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self.fields["reason"])

    def clean_new_due_date(self):
        day = self.cleaned_data["new_due_date"]
        check_new_due_date(day)
        return day

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请说明需要调整时限的原因。"), code="required")
        return reason


class StatusForm(forms.Form):
    """搁置 / 取消 (both need a reason) / 恢复."""

    status = forms.ChoiceField(
        choices=[
            (Status.ON_HOLD, _("搁置")),
            (Status.CANCELLED, _("取消")),
            (Status.IN_PROGRESS, _("恢复")),
        ],
        error_messages={"invalid_choice": _("无效的状态。")},
    )
    # status_reason holds at most 500 characters.
    reason = bounded_text(500, label=_("原因"), required=False)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") in (Status.ON_HOLD, Status.CANCELLED)
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("搁置或取消行动项时请说明原因。"))
        return cleaned


class DeadlineDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("批准")), ("reject", _("驳回"))],
        error_messages={"required": _("请选择批准或驳回。"), "invalid_choice": _("请选择批准或驳回。")},
    )
    note = bounded_text(500, label=_("审批意见"), required=False)


class OwnersForm(_CrispyForm, forms.Form):
    """转办: who leads and who supports. The service insists on at least one lead."""

    submit_label = _("保存责任人")
    id_prefix = "owners"
    lead_users = PeopleMultipleChoiceField(
        queryset=active_people(),
        label=_("牵头人"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    lead_departments = IdsChoiceField(
        queryset=Department.objects.all(),
        label=_("牵头部门"),
        required=False,
        help_text=_("由部门负责人对该事项负责"),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    support_users = PeopleMultipleChoiceField(
        queryset=active_people(),
        label=_("配合人"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    support_departments = IdsChoiceField(
        queryset=Department.objects.all(),
        label=_("配合部门"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    reason = forms.CharField(label=_("转办说明"), required=False)

    def __init__(self, *args, action: ActionItem, **kwargs):
        owners = list(action.owners.all())

        def pick(role, person):
            return [
                o.user_id if person else o.department_id
                for o in owners
                if o.role == role and bool(o.user_id) == person
            ]

        kwargs.setdefault(
            "initial",
            {
                "lead_users": pick(ActionOwner.Role.LEAD, True),
                "lead_departments": pick(ActionOwner.Role.LEAD, False),
                "support_users": pick(ActionOwner.Role.SUPPORT, True),
                "support_departments": pick(ActionOwner.Role.SUPPORT, False),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["lead_users"].queryset = active_people()
        self.fields["support_users"].queryset = active_people()
        limit_text(self.fields["reason"])
        self.helper = self._helper(reverse("actions:owners", args=[action.pk]))

    def owners(self) -> list[tuple[User | Department, str]]:
        data, lead, support = self.cleaned_data, ActionOwner.Role.LEAD, ActionOwner.Role.SUPPORT
        return (
            [(u, lead) for u in data["lead_users"]]
            + [(d, lead) for d in data["lead_departments"]]
            + [(u, support) for u in data["support_users"]]
            + [(d, support) for d in data["support_departments"]]
        )
