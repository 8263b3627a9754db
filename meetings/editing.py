"""The fields the minutes editor saves one at a time, how each is read from and written to the page,
the per-field conflict rule, and how the page's JSON is read.

Every field travels as a string: the page shows it, the browser sends back the string it started
from (the base) with the new one, and the server compares strings. That keeps the optimistic check
free of any version column: a field is only overwritten when nobody changed it since the editor
loaded it. Which fields there are is said by the kinds of block (meetings/editor_blocks.py).
"""

import datetime
import json
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.forms import MAX_TEXT
from meetings.models import AgendaItem, Attendance, Department, User


def parse_id(value) -> int | None:
    """A row id as the page sends it (a JSON integer or a string of ASCII digits), or None when it
    cannot name a row: not a number, a bool, a fraction, zero or negative, or beyond the database's
    integer range (which would overflow the query rather than match nothing)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (0 < len(value) <= 19 and value.isascii() and value.isdigit()):
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if 0 < value <= connection.ops.integer_field_range("BigAutoField")[1] else None


def normalise(value: str) -> str:
    """Browsers send textarea text with \\n; text pasted in from elsewhere may carry \\r\\n."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def may_apply(*, current: str, base: str, new: str) -> bool:
    """The optimistic lock of one field: apply when nobody changed it since the editor read it, or when
    they already wrote exactly the same text. Anything else is a conflict the user resolves."""
    current, base, new = normalise(current), normalise(base), normalise(new)
    return current == base or current == new


@dataclass(frozen=True)
class Field:
    model: type
    name: str
    label: str
    kind: str = "line"  # line, text, int, person, datetime, choice, agenda, speaker, deadline, date
    required: bool = False
    max_length: int = 0
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple = ()


def to_client(obj, field: Field) -> str:
    """The string the page shows for a field (and sends back as the base)."""
    if field.kind == "speaker":
        return f"u:{obj.speaker_id}" if obj.speaker_id else f"t:{obj.speaker_name}"
    if field.kind in ("person", "agenda"):
        value = getattr(obj, f"{field.name}_id")
        return "" if value is None else str(value)
    value = getattr(obj, field.name)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return normalise(str(value))


def parse(field: Field, raw: str, *, obj) -> dict:
    """The model attributes a string sets, or ValidationError with a message for the user."""
    raw = normalise(raw)
    if "\x00" in raw:
        # PostgreSQL cannot store it; Django's forms refuse it the same way.
        raise ValidationError(_("内容中含有无法保存的空字符(NUL),请删除后重试。"), code="null_characters")
    value = raw.strip()
    if field.required and not value:
        raise ValidationError(_("%(label)s不能为空。") % {"label": field.label}, code="required")
    limit = field.max_length or (MAX_TEXT if field.kind in ("text",) else 0)
    if limit and len(raw) > limit:
        raise ValidationError(
            _("内容过长:%(label)s最多 %(limit)s 字,当前 %(count)s 字。请删减或分成几段。")
            % {"label": field.label, "limit": limit, "count": len(raw)},
            code="too_long",
        )
    kind = field.kind
    if kind in ("line", "deadline"):
        return {field.name: value}
    if kind == "text":
        return {field.name: raw.strip("\n")}
    if kind == "choice":
        if value not in field.choices:
            raise ValidationError(_("请选择一个有效的选项。"), code="invalid_choice")
        return {field.name: value}
    if kind == "int":
        if not value:
            return {field.name: None}
        try:
            number = int(value)
        except ValueError:
            raise ValidationError(
                _("%(label)s请填写整数。") % {"label": field.label}, code="invalid"
            ) from None
        if not (field.minimum <= number <= field.maximum):
            raise ValidationError(
                _("%(label)s应在 %(min)s 到 %(max)s 之间。")
                % {"label": field.label, "min": field.minimum, "max": field.maximum},
                code="range",
            )
        return {field.name: number}
    if kind == "person":
        return {f"{field.name}_id": _person_id(value)}
    if kind == "speaker":
        if value.startswith("u:"):
            return {"speaker_id": _person_id(value[2:]), "speaker_name": ""}
        name = value[2:].strip() if value.startswith("t:") else value
        if not name:
            raise ValidationError(_("请填写发言人。"), code="required")
        if len(name) > 64:
            raise ValidationError(_("发言人姓名最多 64 字。"), code="too_long")
        return {"speaker_id": None, "speaker_name": name}
    if kind == "agenda":
        if not value:
            return {"agenda_item_id": None}
        pk = parse_id(value)
        if pk is None or not AgendaItem.objects.filter(pk=pk, meeting_id=obj.meeting_id).exists():
            raise ValidationError(_("所选议程已不存在,请重新选择。"), code="missing")
        return {"agenda_item_id": pk}
    if kind == "date":
        if not value:
            return {field.name: None}
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("请输入有效的日期。"), code="invalid") from None
        if not (2000 <= day.year <= 2100):
            raise ValidationError(_("日期的年份应在 2000 到 2100 之间。"), code="range")
        return {field.name: day}
    if kind == "datetime":
        if not value:
            return {field.name: None}
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("请输入有效的日期和时间。"), code="invalid") from None
        if not (2000 <= moment.year <= 2100):
            raise ValidationError(_("日期的年份应在 2000 到 2100 之间。"), code="range")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        starts_at = moment if field.name == "starts_at" else obj.starts_at
        ends_at = moment if field.name == "ends_at" else obj.ends_at
        if starts_at and ends_at and ends_at < starts_at:
            raise ValidationError(_("结束时间不能早于开始时间。"), code="ends_before_start")
        if starts_at and ends_at and ends_at - starts_at > datetime.timedelta(days=14):
            raise ValidationError(_("会议时长不能超过 14 天,请检查结束时间。"), code="too_long")
        return {field.name: moment}
    raise ValidationError(_("该字段不能在此编辑。"), code="unknown")


def _person_id(value: str) -> int | None:
    if not value:
        return None
    pk = parse_id(value)
    if pk is None or not User.objects.filter(pk=pk, is_active=True).exists():
        raise ValidationError(_("所选人员已被删除或停用,请重新选择。"), code="missing_person")
    return pk


def attendance_counts(attendances) -> dict:
    """应到 / 实到: invited people (not guests); present counts those who came late too."""
    expected = [a for a in attendances if a.user_id and a.role != Attendance.Role.GUEST]
    present = sum(a.status in (Attendance.Status.PRESENT, Attendance.Status.LATE) for a in expected)
    guests = sum(1 for a in attendances if not a.user_id or a.role == Attendance.Role.GUEST)
    return {"expected": len(expected), "present": present, "guests": guests}


def directory() -> dict:
    """Everyone an owner, presenter or speaker can be: active people and all departments."""
    return {
        "people": list(
            User.objects.filter(is_active=True).order_by("name").values("pk", "name", "job_title")
        ),
        "departments": list(Department.objects.order_by("order", "name").values("pk", "name")),
    }


# --- Reading the page's JSON: every endpoint reads its body through Payload, so a value of the wrong
# type answers 400 with a message (a ValidationError, which each endpoint turns into the error shape
# the page reads), never a 500.


def bad_request() -> ValidationError:
    return ValidationError(_("请求格式不正确,请刷新页面后重试。"), code="bad_request")


ADDITION_KEY = re.compile(r"[A-Za-z0-9-]{16,64}")


class Payload:
    """The JSON object a script posted, read one typed value at a time."""

    def __init__(self, data):
        if not isinstance(data, dict):
            raise bad_request()
        self.data = data

    @classmethod
    def of(cls, request) -> "Payload":
        try:
            # Invalid UTF-8 raises UnicodeDecodeError, a ValueError; absurd nesting, RecursionError.
            return cls(json.loads(request.body or b"{}"))
        except (ValueError, RecursionError):
            raise bad_request() from None

    def get(self, key, default=None):
        return self.data.get(key, default)

    def text(self, key: str) -> str:
        """A string; a missing key or null is empty."""
        return self.string(self.data.get(key))

    @staticmethod
    def string(value) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise bad_request()
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise bad_request()
        return value

    def list(self, key: str) -> list:
        """A list; a missing key or null is empty."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise bad_request()
        return value

    @staticmethod
    def id(value) -> int:
        """A row id: a positive integer within the database's range (a bool is not one)."""
        pk = parse_id(value)
        if pk is None:
            raise bad_request()
        return pk

    def form_data(self) -> dict:
        """The fields of an add form, for a Django form: every value a string, as a browser sends."""
        return {key: self.string(value) for key, value in self.data.items() if key != "key"}

    def addition_key(self) -> str | None:
        """The key the page made for a new block before first sending it (crypto.randomUUID()), or None
        when the page sent none. Anything but 16–64 letters, digits and hyphens is refused."""
        value = self.data.get("key")
        if value is None:
            return None
        if not isinstance(value, str) or not ADDITION_KEY.fullmatch(value):
            raise ValidationError(_("新增内容的标识无效,请刷新页面后重新添加。"), code="bad_key")
        return value


class Refused(Exception):
    """An add form's input the page must correct: the errors per field, for the 400 answer."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def form_errors(form) -> dict:
    return {name: " ".join(str(e) for e in errors) for name, errors in form.errors.items()}
