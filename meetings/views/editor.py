"""The live minutes editor (记录纪要): one page per meeting, every field saved on its own.

The page is server-rendered; static/js/editor.js saves fields as they are typed, queues what could not
be saved in the browser, and adds blocks (agenda items, reports, decisions, action items) through the
JSON endpoints below. Every endpoint asks meetings.policy.can_edit_meeting; a meeting the user may not
edit answers 404. An expired login answers 401 (never a redirect), so the page keeps its edits and
asks the user to sign in again in another tab.
"""

import json
import re
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from actions import policy as action_policy
from actions.models import ActionOwner, DeadlineKind, Priority
from actions.wording import parse_deadline
from config.errors import NotFound
from meetings import editing, services
from meetings.forms import AgendaItemForm, DecisionForm, SpeakerReportForm
from meetings.markdown import looks_like_html, render_markdown
from meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Department,
    EditorAddition,
    Meeting,
    SpeakerReport,
    User,
)
from meetings.policy import assigns_minutes_roles, can_edit_meeting, visibility_q
from meetings.templatetags.minutes import enumeration, long_date


def json_login_required(view):
    """Like login_required, but a script gets 401 and the login URL instead of a redirect page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse(
                {"error": _("登录已过期,请重新登录。您的修改保存在本机,登录后会自动保存。"), "login": True},
                status=401,
            )
        return view(request, *args, **kwargs)

    return wrapper


def editable_meeting(request, meeting_id: int) -> Meeting:
    """The meeting, light: one query. 404 when it is hidden from the user or they may not edit it."""
    visible = Meeting.objects.filter(visibility_q(request.user), pk=meeting_id).values("pk")
    meeting = Meeting.objects.filter(pk__in=visible).select_related("department", "chair", "recorder").first()
    if meeting is None or not can_edit_meeting(request.user, meeting):
        raise NotFound(_("会议不存在,或您没有编辑权限。"))
    return meeting


# --- reading the page's JSON: every endpoint reads its body through Payload, so a value of the wrong
# type answers 400 with a message (a ValidationError, which each endpoint turns into the error shape
# the page reads), never a 500.


def bad_request() -> ValidationError:
    return ValidationError(_("请求格式不正确,请刷新页面后重试。"), code="bad_request")


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
        pk = editing.parse_id(value)
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


ADDITION_KEY = re.compile(r"[A-Za-z0-9-]{16,64}")


def _error(message, status=400, **extra):
    return JsonResponse({"error": str(message), **extra}, status=status)


def _form_errors(form) -> dict:
    return {name: " ".join(str(e) for e in errors) for name, errors in form.errors.items()}


@login_required
@never_cache
def editor(request, meeting_id: int):
    meeting = editable_meeting(request, meeting_id)
    context = editing.editor_context(meeting)
    context["csrf"] = get_token(request)
    context["roles_locked"] = not assigns_minutes_roles(request.user, meeting)
    if meeting.series_id and any(i.kind == AgendaItem.Kind.REVIEW for i in context["agenda_items"]):
        # 上次会议行动项回顾 sits under its own agenda item, as on the meeting page.
        from meetings.policy import access
        from meetings.views.lifecycle import review_context

        meeting.access = access(request.user, meeting)
        context["review"] = review_context(meeting)
    return render(request, "meetings/editor.html", context)


@require_GET
@json_login_required
def csrf_token(request, meeting_id: int):
    """A fresh CSRF token: signing in again in another tab rotates it."""
    editable_meeting(request, meeting_id)
    return JsonResponse({"csrf": get_token(request)})


@login_required
def relogin_done(request, meeting_id: int):
    """Where the sign-in tab lands: it tells the editor tab to save its waiting edits, then can close."""
    return render(request, "meetings/editor_relogin.html", {"meeting_id": meeting_id})


@require_POST
@json_login_required
def save_field(request, meeting_id: int):
    meeting = editable_meeting(request, meeting_id)
    try:
        data = Payload.of(request)
        entity, name = data.text("entity"), data.text("field")
        if editing.field_for(entity, name) is None:
            raise ValidationError(_("该字段不能在此编辑。"), code="unknown")
        pk = Payload.id(data.get("pk"))
        value, base = data.text("value"), data.text("base")
        if entity == "meeting" and pk != meeting.pk:
            raise services.RowMissing()
        saved, obj = services.minutes_field_save(
            meeting=meeting,
            entity=entity,
            pk=pk,
            name=name,
            base=base,
            value=value,
            by=request.user,
            force=data.flag("force"),
        )
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    except services.FieldConflict as conflict:
        return JsonResponse(
            {
                "conflict": True,
                "current": conflict.current,
                "error": _("他人已修改此内容,请选择保留哪个版本。"),
            },
            status=409,
        )
    except services.RowMissing:
        return _error(_("此内容已被他人删除。您输入的文字仍保留在本页,可复制后另存。"), status=410)
    except PermissionDenied as exc:
        return _error(str(exc) or _("您没有权限进行此项操作。"), status=403)
    answer = {"value": saved, "saved_at": timezone.localtime().strftime("%H:%M:%S")}
    if entity == "report" and name == "content":
        answer["html"] = str(render_markdown(saved))
    if editing.field_for(entity, name).kind == "text" and looks_like_html(saved):
        answer["warning"] = _("内容中含有 HTML 代码(可能是从 Word 粘贴的格式),将按原文显示为文字,不会执行。")
    if entity == "action" and name in ("deadline_text", "due_date"):
        answer["deadline"] = deadline_info(obj.deadline_text, meeting, due_date=obj.due_date)
        answer["due_date"] = obj.due_date.isoformat() if obj.due_date else ""
    if entity == "attendance":
        answer["counts"] = editing.attendance_counts(meeting.attendances.all())
    return JsonResponse(answer)


def deadline_info(text: str, meeting: Meeting, due_date=None) -> dict:
    """What the page shows under a deadline wording: the date it gives, or a request to confirm."""
    parsed = parse_deadline(text, meeting_date=timezone.localdate(meeting.starts_at))
    day = due_date if due_date is not None else parsed.due_date
    if not text.strip():
        message = _("可填写日期,或“两周内”“下次例会前”“持续进行”“每周”等")
    elif parsed.needs_confirmation:
        message = _("无法识别这个时限,已按原文保留,请选择具体日期。")
    elif parsed.kind == DeadlineKind.EVENT:
        message = _("下次会议排期后自动得出日期")
    elif parsed.kind == DeadlineKind.ONGOING:
        message = _("持续进行,无固定日期")
    elif parsed.kind == DeadlineKind.RECURRING:
        message = _("周期性事项,首次:%(date)s") % {"date": long_date(parsed.due_date)}
    else:
        message = _("即 %(date)s,请确认") % {"date": long_date(parsed.due_date)}
    if parsed.is_estimate and text.strip():
        message += _("(预计)")
    return {
        "kind": parsed.kind,
        "date": day.isoformat() if day else "",
        "suggested": parsed.due_date.isoformat() if parsed.due_date else "",
        "message": message,
        "confirm": parsed.needs_confirmation,
        "estimate": parsed.is_estimate,
    }


@require_GET
@json_login_required
def people_directory(request, meeting_id: int):
    """The type-ahead lists, apart from the page: the browser may keep them for a minute."""
    editable_meeting(request, meeting_id)
    response = render(request, "meetings/_editor_directory.html", editing.directory())
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_GET
@json_login_required
def deadline_preview(request, meeting_id: int):
    meeting = editable_meeting(request, meeting_id)
    return JsonResponse(deadline_info(request.GET.get("text", "")[:100], meeting))


def _speaker_fields(raw: str) -> dict:
    raw = raw.strip()
    if raw.startswith("u:") and editing.parse_id(raw[2:]) is not None:
        return {"speaker": raw[2:], "speaker_name": ""}
    return {"speaker": "", "speaker_name": raw[2:] if raw.startswith("t:") else raw}


def _owners(meeting, raw_owners) -> list:
    """[(User | Department, role)] from the page's owner chips; a deleted owner is named in the error."""
    if raw_owners is None or raw_owners == []:
        raise ValidationError(_("请至少添加一位责任人(人员或部门),并指定牵头。"))
    if not isinstance(raw_owners, list):
        raise bad_request()
    chips = []  # (type, id or None, role, label)
    for raw in raw_owners:
        owner = Payload(raw)
        kind, role, label = owner.text("type"), owner.text("role"), owner.text("label")
        if kind not in ("u", "d"):
            raise bad_request()
        raw_id = owner.get("id")
        label = label or (raw_id if isinstance(raw_id, str) else "")
        chips.append((kind, editing.parse_id(raw_id), role, label))
    user_ids = [pk for kind, pk, _r, _l in chips if kind == "u" and pk]
    dept_ids = [pk for kind, pk, _r, _l in chips if kind == "d" and pk]
    users = User.objects.filter(pk__in=user_ids, is_active=True).in_bulk()
    departments = Department.objects.filter(pk__in=dept_ids).in_bulk()
    owners, missing = [], []
    for kind, pk, role, label in chips:
        found = (users if kind == "u" else departments).get(pk)
        if found is None:
            missing.append(label or "?")
            continue
        owners.append((found, ActionOwner.Role.SUPPORT if role == "support" else ActionOwner.Role.LEAD))
    if missing:
        raise ValidationError(
            _("责任人“%(names)s”已被删除或停用,请重新选择。") % {"names": enumeration(missing)},
            code="missing_owner",
        )
    if not any(role == ActionOwner.Role.LEAD for _o, role in owners):
        raise ValidationError(_("至少需要一位牵头责任人。"), code="no_lead")
    return owners


# What the editor's "add" forms create, by the kind in the URL, and the block that answers for each.
ADD_KINDS = {
    "agenda": "agenda",
    "report": "report",
    "decision": "decision",
    "action": "action",
    "guest": "attendance",
}


class Refused(Exception):
    """An add form's input the page must correct: carries the 400 answer with the errors per field."""

    def __init__(self, response):
        self.response = response


@require_POST
@json_login_required
def add_block(request, meeting_id: int, kind: str):
    """Add an agenda item, speaker report, decision, action item or guest; answer with its HTML.

    The page sends a key it made for the block before the first attempt and sends the same key again
    when it retries (the answer was lost, the server was down, the page was reloaded). A key already
    used answers with the block it created, never a second copy; the key is recorded in the
    transaction that creates the block, so a block and its key exist together or not at all."""
    meeting = editable_meeting(request, meeting_id)
    if kind not in ADD_KINDS:
        raise Http404
    try:
        payload = Payload.of(request)
        key = payload.addition_key()
        if key is not None and (earlier := _earlier_addition(request, meeting, kind, key)) is not None:
            return earlier
        try:
            with transaction.atomic():
                obj = _create_block(request, meeting, kind, payload)
                if key is not None:
                    EditorAddition.objects.create(
                        meeting=meeting, author=request.user, key=key, kind=kind, object_id=obj.pk
                    )
        except IntegrityError:
            # Another request with the same key got there first (a retry that overtook a slow answer):
            # its block stands and this one was rolled back with the key.
            earlier = _earlier_addition(request, meeting, kind, key) if key is not None else None
            if earlier is None:
                raise
            return earlier
    except Refused as refused:
        return refused.response
    except ValidationError as exc:
        return JsonResponse({"errors": {"__all__": " ".join(exc.messages)}}, status=400)
    return _block_answer(request, meeting, ADD_KINDS[kind], obj.pk)


def _earlier_addition(request, meeting, kind: str, key: str):
    """The answer for a key this meeting has seen, or None when it is new."""
    earlier = EditorAddition.objects.filter(meeting=meeting, key=key).first()
    if earlier is None:
        return None
    if earlier.author_id != request.user.pk or earlier.kind != kind:
        # Someone else's key, or one used for another kind of block: nothing about it is told.
        message = _("此标识已被其他内容使用,请刷新页面后重新添加。")
        return JsonResponse({"error": message, "errors": {"__all__": message}}, status=409)
    return _block_answer(request, meeting, ADD_KINDS[kind], earlier.object_id)


def _create_block(request, meeting, kind: str, payload):
    """Validate the form and call the service; Refused carries the errors per field."""
    if kind == "action":
        return _add_action(request, meeting, payload)
    if kind == "guest":
        return _add_attendance(request, meeting, payload)
    data = payload.form_data()
    if kind == "agenda":
        form = AgendaItemForm(data)
        if not form.is_valid():
            raise Refused(JsonResponse({"errors": _form_errors(form)}, status=400))
        return services.agenda_item_add(meeting=meeting, by=request.user, **form.cleaned_data)
    if kind == "report":
        form = SpeakerReportForm({**data, **_speaker_fields(data.get("speaker_any", ""))}, meeting=meeting)
        if not form.is_valid():
            errors = _form_errors(form)
            if "speaker" in errors:
                errors["speaker_any"] = errors.pop("speaker")
            raise Refused(JsonResponse({"errors": errors}, status=400))
        return services.speaker_report_add(by=request.user, **form.cleaned_data)
    form = DecisionForm(data, meeting=meeting)
    if not form.is_valid():
        raise Refused(JsonResponse({"errors": _form_errors(form)}, status=400))
    return services.decision_add(meeting=meeting, by=request.user, **form.cleaned_data)


def _add_attendance(request, meeting, data):
    user_id = data.text("user").strip()
    name, organisation = data.text("guest_name").strip(), data.text("guest_organisation").strip()
    errors = {}
    user = None
    for key, value in (("guest_name", name), ("guest_organisation", organisation)):
        if "\x00" in value:
            errors[key] = _("内容中含有无法保存的空字符(NUL),请删除后重试。")
    if user_id:
        pk = editing.parse_id(user_id)
        user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        if user is None:
            errors["user"] = _("所选人员已被删除或停用,请重新选择。")
        elif meeting.attendances.filter(user=user).exists():
            errors["user"] = _("%(name)s 已在参会名单中。") % {"name": user.name}
    elif not name:
        errors["guest_name"] = _("请填写特邀嘉宾的姓名,或从名单中选择人员。")
    if len(name) > 64:
        errors["guest_name"] = _("姓名最多 64 字。")
    if len(organisation) > 200:
        errors["guest_organisation"] = _("单位名称最多 200 字。")
    if errors:
        raise Refused(JsonResponse({"errors": errors}, status=400))
    role = Attendance.Role.PARTICIPANT if user else Attendance.Role.GUEST
    return services.attendance_add(
        meeting=meeting,
        user=user,
        guest_name=name,
        guest_organisation=organisation,
        role=role,
        by=request.user,
    )


def _add_action(request, meeting, data):
    from actions import services as action_services

    errors = {}
    title = data.text("title").strip()
    if "\x00" in title:
        errors["title"] = _("内容中含有无法保存的空字符(NUL),请删除后重试。")
    elif not title:
        errors["title"] = _("事项不能为空。")
    elif len(title) > 300:
        errors["title"] = _("事项最多 300 字,当前 %(count)s 字。") % {"count": len(title)}
    try:
        owners = _owners(meeting, data.get("owners"))
    except ValidationError as exc:
        errors["owners"] = " ".join(exc.messages)
    text = data.text("deadline_text").strip()
    if "\x00" in text:
        errors["deadline_text"] = _("内容中含有无法保存的空字符(NUL),请删除后重试。")
        text = ""
    elif len(text) > 100:
        errors["deadline_text"] = _("完成时限最多 100 字,当前 %(count)s 字。") % {"count": len(text)}
    due_raw = data.text("due_date").strip()
    due_date = None
    if due_raw:
        try:
            due_date = editing.parse(editing.field_for("action", "due_date"), due_raw, obj=None)["due_date"]
        except ValidationError as exc:
            errors["due_date"] = " ".join(exc.messages)
    priority = data.text("priority")
    priority = priority if priority in Priority.values else Priority.NORMAL
    # An empty entry (the hidden field of a form under no decision) names none.
    decision_ids = {Payload.id(d) for d in data.list("decisions") if d != ""}
    decisions = list(Decision.objects.filter(meeting=meeting, pk__in=decision_ids))
    if len(decisions) != len(decision_ids):
        errors["__all__"] = _("所对应的决议已被删除,请刷新页面。")
    if errors:
        raise Refused(JsonResponse({"errors": errors}, status=400))
    # The deadline follows from the words and the date picked by the one rule (deadline_from).
    return action_services.action_create(
        title=title,
        owners=owners,
        by=request.user,
        meeting=meeting,
        decisions=decisions,
        due_date=due_date,
        deadline_text=text,
        priority=priority,
    )


def _block_answer(request, meeting, kind: str, pk: int) -> JsonResponse:
    """The new block's HTML and the list it goes into; 410 when it has been deleted since."""
    context = editing.editor_context(meeting, only=(kind, pk))
    if context["block"] is None:
        message = _("该内容已被删除。")
        return JsonResponse({"error": message, "errors": {"__all__": message}, "gone": True}, status=410)
    name = "item" if kind == "agenda" else kind
    html = render_to_string(f"meetings/_editor_{kind}.html", {**context, name: context["block"]}, request)
    return JsonResponse({"html": html, "target": editing.block_target(kind, context["block"]), "id": pk})


@require_POST
@json_login_required
def set_owners(request, meeting_id: int, action_id: int):
    from actions import services as action_services
    from actions.models import ActionItem

    meeting = editable_meeting(request, meeting_id)
    action = (
        ActionItem.objects.filter(pk=action_id, meeting=meeting)
        .prefetch_related(editing.action_owners_prefetch())
        .first()
    )
    if action is None:
        return _error(_("此行动项已被删除。"), status=410)
    action.meeting = meeting
    if not action_policy.access(request.user, action).can_edit:
        return _error(_("您没有权限进行此项操作。"), status=403)
    try:
        owners = _owners(meeting, Payload.of(request).get("owners"))
        action_services.owners_set(action=action, by=request.user, owners=owners, reason=_("会议记录中修改"))
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    return JsonResponse({"ok": True})


@require_POST
@json_login_required
def reorder_agenda(request, meeting_id: int):
    meeting = editable_meeting(request, meeting_id)
    try:
        order = []
        for pair in Payload.of(request).list("order"):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise bad_request()
            pk, day = pair
            if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 30:
                raise bad_request()
            order.append((Payload.id(pk), day))
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    services.agenda_reorder(meeting=meeting, order=order)
    return JsonResponse({"ok": True})


@require_POST
@json_login_required
def delete_block(request, meeting_id: int, kind: str, pk: int):
    """Remove an agenda item (with its reports) or a report, after the page asked the user to confirm."""
    meeting = editable_meeting(request, meeting_id)
    if kind == "agenda":
        item = AgendaItem.objects.filter(pk=pk, meeting=meeting).first()
        if item is not None:
            services.agenda_item_delete(item=item)
    elif kind == "report":
        report = SpeakerReport.objects.filter(pk=pk, agenda_item__meeting=meeting).first()
        if report is not None:
            services.speaker_report_delete(report=report)
    else:
        raise Http404
    return HttpResponse("")


@require_GET
@json_login_required
def news(request, meeting_id: int):
    """What others added since the page last looked (polled by htmx every few seconds)."""
    meeting = editable_meeting(request, meeting_id)
    after = {}
    for kind in ("agenda", "report", "decision", "action", "attendance"):
        after[kind] = editing.parse_id(request.GET.get(kind, "")) or 0
    context = editing.editor_news(meeting, after)
    if not context["blocks"]:
        return HttpResponse("", headers={"X-Counts": json.dumps(context["counts"])})
    return render(request, "meetings/_editor_news.html", context)
