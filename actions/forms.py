from django import forms
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem, ActionOwner, DeadlineKind
from meetings.forms import PeopleChoiceField, _CrispyForm, active_people, check_year, limit_text
from meetings.models import Decision, Department, Meeting, User


class PeopleMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class ActionItemForm(_CrispyForm, forms.ModelForm):
    """A simple form for now; the live editor adds type-ahead owners and parsed deadlines."""

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
            "deadline_kind",
            "deadline_text",
            "deadline_is_estimate",
            "priority",
        ]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_user"].queryset = active_people()
        self.fields["support_users"].queryset = active_people()
        self.fields["decisions"].queryset = Decision.objects.filter(meeting=meeting)
        self.fields["decisions"].label_from_instance = lambda d: d.label
        limit_text(self.fields["description"])
        self.helper = self._helper()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("lead_user") and not cleaned.get("lead_department"):
            self.add_error("lead_user", _("请指定牵头人或牵头部门。"))
        due_date, kind = cleaned.get("due_date"), cleaned.get("deadline_kind")
        check_year(due_date, _("完成时限"))
        if kind in (DeadlineKind.DATE, DeadlineKind.RELATIVE) and not due_date:
            self.add_error("due_date", _("请填写完成日期,或把时限类型改为“持续进行”等。"))
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
