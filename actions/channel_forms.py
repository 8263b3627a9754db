from django import forms
from django.utils.translation import gettext_lazy as _

from actions import channel_policy
from actions.models import RobotChannel
from actions.robots import validate_webhook_url


class RobotChannelForm(forms.ModelForm):
    """Add or change a group robot. On change, the address and the secret start empty: leaving them empty
    keeps the saved ones, so nobody has to see (or retype) a credential to rename a robot."""

    clear_secret = forms.BooleanField(label=_("清除加签密钥"), required=False)

    class Meta:
        model = RobotChannel
        fields = ["name", "platform", "department", "series", "webhook_url", "secret", "enabled"]
        widgets = {
            "webhook_url": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "secret": forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        }
        help_texts = {
            "name": _("例如:市场部钉钉群"),
            "secret": _("钉钉、飞书的“加签”密钥(可选)。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = channel_policy.departments_for_manager(user)
        self.fields["series"].queryset = channel_policy.series_for_manager(user)
        self.fields["department"].help_text = _("部门和会议系列二选一。")
        self.editing = self.instance.pk is not None
        if self.editing:
            self.initial["webhook_url"] = ""
            self.initial["secret"] = ""
            self.fields["webhook_url"].required = False
            self.fields["webhook_url"].help_text = _("当前:%(masked)s。留空则保持不变。") % {
                "masked": self.instance.masked_url
            }
            self.fields["secret"].help_text = (
                _("已设置。留空则保持不变。") if self.instance.secret else _("未设置。")
            )
        else:
            del self.fields["clear_secret"]
        self._saved_url = self.instance.webhook_url
        self._saved_secret = self.instance.secret

    def clean_webhook_url(self):
        url = (self.cleaned_data.get("webhook_url") or "").strip()
        if not url and self.editing:
            return self._saved_url
        try:
            return validate_webhook_url(url)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "机器人地址必须以 http:// 或 https:// 开头,例如 https://oapi.dingtalk.com/robot/send?access_token=…"
                ),
                code="scheme",
            ) from None

    def clean_secret(self):
        secret = (self.cleaned_data.get("secret") or "").strip()
        if self.editing and not secret:
            return self._saved_secret
        return secret

    def clean(self):
        cleaned = super().clean()
        if self.editing and cleaned.get("clear_secret"):
            cleaned["secret"] = ""
            self.instance.secret = ""
        if bool(cleaned.get("department")) == bool(cleaned.get("series")):
            self.add_error("department", _("请选择一个部门或一个会议系列(二选一)。"))
        return cleaned
