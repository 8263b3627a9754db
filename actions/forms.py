"""The forms of the actions app: an item added from the minutes, the owners' forms of 我的行动项 and the
item page (also used by the one-click links of reminder e-mails), the managers' bulk changes, and 提醒设置."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from actions.filters import MarkInvalidMixin, PlainSelect
from actions.models import ActionItem, ActionOwner, DeadlineKind, ReminderPreference, Status, local_today
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


# The bulk changes of 部门行动项 and 全部行动项 (views/manage.py).


class GroupedPlainSelect(PlainSelect):
    """PlainSelect with its <optgroup>s: 人员 and 部门 in the new-lead picker."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        selected = mark_safe(" selected")
        groups = []
        for group, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((o["value"], selected if o["selected"] else "", o["label"]) for o in options),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group, rendered) if group else rendered
            )
        attributes = forms.utils.flatatt(widget["attrs"])
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], attributes, mark_safe("".join(groups))
        )


class LeadChoiceField(forms.ChoiceField):
    """A person or a department among the candidates, posted as "user-<pk>" or "department-<pk>" and
    cleaned to the User or the Department."""

    widget = GroupedPlainSelect

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.set_candidates(User.objects.none(), [])

    def set_candidates(self, people, departments) -> None:
        self.people, self.departments = people, departments
        self.choices = self._options  # a callable: read only when the select is rendered

    def _options(self):
        return [
            ("", "—"),
            (gettext("人员"), [(f"user-{user.pk}", user.display_name) for user in self.people]),
            (
                gettext("部门"),
                [(f"department-{department.pk}", department.name) for department in self.departments],
            ),
        ]

    def validate(self, value):
        # ChoiceField would list every candidate to check the value; to_python has looked it up.
        forms.Field.validate(self, value)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        kind, _sep, pk = value.partition("-")
        found = None
        if kind == "user" and pk.isdigit():
            found = self.people.filter(pk=pk).first()
        elif kind == "department":
            found = next((d for d in self.departments if str(d.pk) == pk), None)
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class BulkForm(MarkInvalidMixin, forms.Form):
    REASSIGN, DEADLINE, CANCEL = "reassign", "deadline", "cancel"

    items = IdsChoiceField(
        queryset=ActionItem.objects.all(),
        error_messages={
            "required": _("请先在列表中勾选要处理的行动项。"),
            "invalid_choice": _("所选的行动项不存在。"),
            "invalid_pk_value": _("所选的行动项不存在。"),
        },
    )
    operation = forms.ChoiceField(
        label=_("批量操作"),
        choices=[
            ("", _("请选择操作")),
            (REASSIGN, _("更换牵头人")),
            (DEADLINE, _("修改完成时限")),
            (CANCEL, _("取消事项")),
        ],
        error_messages={"required": _("请选择要执行的操作。")},
    )
    lead = LeadChoiceField(
        label=_("新牵头人"),
        required=False,
        help_text=_("更换牵头人时"),
        error_messages={
            "invalid_choice": _(
                "新牵头人只能交给您所管理部门的成员或这些部门;交给其他人后,事项就不在部门行动项里了。"
            )
        },
    )
    new_due_date = forms.DateField(
        label=_("新完成时限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日期格式不正确,请按“2026-11-22”的格式填写。")},
    )
    reason = bounded_text(500, label=_("原因"), required=False, help_text=_("改时限、取消时必填"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].set_candidates(*candidates)  # (people, departments): _lead_candidates
        for name, field in self.fields.items():
            if name != "items":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = f"{css} {css}-sm"

    def clean(self):
        cleaned = super().clean()
        operation, reason = cleaned.get("operation"), cleaned.get("reason", "").strip()
        if operation == self.REASSIGN and not cleaned.get("lead") and "lead" not in self.errors:
            self.add_error("lead", gettext("请选择新的牵头人。"))
        if operation == self.DEADLINE:
            if not cleaned.get("new_due_date") and "new_due_date" not in self.errors:
                self.add_error("new_due_date", gettext("请填写新的完成时限。"))
            elif cleaned.get("new_due_date"):
                try:
                    check_new_due_date(cleaned["new_due_date"])  # the rule of the owner's own request
                except ValidationError as error:
                    self.add_error("new_due_date", error)
        if operation in (self.DEADLINE, self.CANCEL) and not reason:
            self.add_error("reason", gettext("修改完成时限或取消事项时请说明原因。"))
        cleaned["reason"] = reason
        return cleaned


# 提醒设置 (views/preferences.py).


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["mode", "support_reminders", "email", "robot", "time_zone"]
        widgets = {"mode": forms.RadioSelect}


class ReviewUpdateForm(forms.Form):
    """One row of the carry-over review: new status, progress and a note, each optional."""

    status = forms.ChoiceField(label=_("状态"), choices=Status.choices, required=False)
    progress = forms.IntegerField(
        label=_("进度(%)"),
        min_value=0,
        max_value=100,
        required=False,
        error_messages={
            "min_value": _("进度应在 0 到 100 之间。"),
            "max_value": _("进度应在 0 到 100 之间。"),
            "invalid": _("进度请填写 0 到 100 之间的整数。"),
        },
    )
    note = bounded_text(2000, label=_("最新进展"), required=False)
    # The status the row showed: a status left as it was is no change, even if progress moved it on.
    was_status = forms.ChoiceField(choices=Status.choices, required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") and cleaned.get("status") == cleaned.get("was_status"):
            cleaned["status"] = ""
        cleaned.pop("was_status", None)
        return cleaned
