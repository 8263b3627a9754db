"""The live minutes editor (记录纪要): one page per meeting, every field saved on its own.

The page is server-rendered; its script (static/js/editor/) saves fields as they are typed, queues what
could not be saved in the browser, and adds blocks (agenda items, reports, decisions, action items, guests)
through the JSON endpoints below. What a kind of block is (its fields, rows, template, how it is added
and deleted) is said by the registry, meetings/editor_blocks.py; the endpoints that are only about one
kind live with it (action items' owners and deadline preview: actions/views/minutes.py). Every endpoint
asks meetings.policy.can_edit_meeting; a meeting the user may not edit answers 404. An expired login
answers 401 (never a redirect), so the page keeps its edits and asks the user to sign in again in
another tab.
"""

import json
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

from config.errors import NotFound
from meetings import editing, editor_blocks, hooks, services
from meetings.editing import Payload, Refused, bad_request
from meetings.markdown import looks_like_html
from meetings.models import EditorAddition, Meeting
from meetings.policy import assigns_minutes_roles, can_edit_meeting, visibility_q


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


def _error(message, status=400, **extra):
    return JsonResponse({"error": str(message), **extra}, status=status)


@login_required
@never_cache
def editor(request, meeting_id: int):
    meeting = editable_meeting(request, meeting_id)
    context = editor_blocks.editor_context(meeting)
    context["csrf"] = get_token(request)
    context["roles_locked"] = not assigns_minutes_roles(request.user, meeting)
    for section in hooks.editor_sections:  # the carry-over review, under its own agenda item
        context.update(section(request, meeting, context))
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
        field = editor_blocks.field_for(entity, name)
        if field is None:
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
    kind = editor_blocks.kind(entity)
    if kind.answer is not None:
        answer |= kind.answer(meeting, obj, field)
    if field.kind == "text" and looks_like_html(saved):
        answer["warning"] = _("内容中含有 HTML 代码(可能是从 Word 粘贴的格式),将按原文显示为文字,不会执行。")
    return JsonResponse(answer)


@require_GET
@json_login_required
def people_directory(request, meeting_id: int):
    """The type-ahead lists, apart from the page: the browser may keep them for a minute."""
    editable_meeting(request, meeting_id)
    response = render(request, "meetings/_editor_directory.html", editing.directory())
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
@json_login_required
def add_block(request, meeting_id: int, kind: str):
    """Add a block of one of the kinds the editor_blocks registry can add (agenda item, speaker
    report, decision, action item, guest); answer with its HTML.

    The page sends a key it made for the block before the first attempt and sends the same key again
    when it retries (the answer was lost, the server was down, the page was reloaded). A key already
    used answers with the block it created, never a second copy; the key is recorded in the
    transaction that creates the block, so a block and its key exist together or not at all."""
    meeting = editable_meeting(request, meeting_id)
    block_kind = editor_blocks.for_add(kind)
    if block_kind is None:
        raise Http404
    try:
        payload = Payload.of(request)
        key = payload.addition_key()
        if key is not None and (earlier := _earlier_addition(request, meeting, kind, key)) is not None:
            return earlier
        try:
            with transaction.atomic():
                obj = block_kind.add(meeting, request.user, payload)
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
        return JsonResponse({"errors": refused.errors}, status=400)
    except ValidationError as exc:
        return JsonResponse({"errors": {"__all__": " ".join(exc.messages)}}, status=400)
    return _block_answer(request, meeting, block_kind.name, obj.pk)


def _earlier_addition(request, meeting, kind: str, key: str):
    """The answer for a key this meeting has seen, or None when it is new."""
    earlier = EditorAddition.objects.filter(meeting=meeting, key=key).first()
    if earlier is None:
        return None
    if earlier.author_id != request.user.pk or earlier.kind != kind:
        # Someone else's key, or one used for another kind of block: nothing about it is told.
        message = _("此标识已被其他内容使用,请刷新页面后重新添加。")
        return JsonResponse({"error": message, "errors": {"__all__": message}}, status=409)
    return _block_answer(request, meeting, editor_blocks.add_kinds()[kind], earlier.object_id)


def _block_answer(request, meeting, kind: str, pk: int) -> JsonResponse:
    """The new block's HTML and the list it goes into; 410 when it has been deleted since."""
    context = editor_blocks.editor_context(meeting, only=(kind, pk))
    if context["block"] is None:
        message = _("该内容已被删除。")
        return JsonResponse({"error": message, "errors": {"__all__": message}, "gone": True}, status=410)
    block_kind = editor_blocks.kind(kind)
    html = render_to_string(block_kind.template, {**context, block_kind.row_name: context["block"]}, request)
    target = editor_blocks.block_target(kind, context["block"])
    return JsonResponse({"html": html, "target": target, "id": pk})


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
    """Remove a block the page asked the user to confirm removing: an agenda item (with its reports)
    or a report. Other kinds are corrected in place (404)."""
    meeting = editable_meeting(request, meeting_id)
    block_kind = editor_blocks.kind(kind)
    if block_kind is None or block_kind.delete is None:
        raise Http404
    block_kind.delete(meeting, pk)
    return HttpResponse("")


@require_GET
@json_login_required
def news(request, meeting_id: int):
    """What others added since the page last looked (polled by htmx every few seconds)."""
    meeting = editable_meeting(request, meeting_id)
    after = {
        kind.name: editing.parse_id(request.GET.get(kind.name, "")) or 0
        for kind in editor_blocks.news_kinds()
    }
    context = editor_blocks.editor_news(meeting, after)
    if not context["blocks"]:
        return HttpResponse("", headers={"X-Counts": json.dumps(context["counts"])})
    return render(request, "meetings/_editor_news.html", context)
