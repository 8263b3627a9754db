"""Action items in the minutes editor: the "action" kind of block (meetings/editor_blocks.py), which
this app registers from ActionsConfig.ready().

An item shows under the first decision it serves, or in 其他行动项; its title, priority, deadline
wording and date are saved one at a time through actions.services.action_fields_set (the item's
policy, its log, its reminders and occurrences), a new one is made by actions.services.action_create.
Both read the deadline by the one rule, actions.services.deadline_from. The endpoints only about items
(owners changed in place, the deadline preview) are in actions/views/minutes.py.
"""

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions import services
from actions.models import ActionItem, ActionOwner, DeadlineKind, Priority
from actions.wording import parse_deadline
from meetings import editing, editor_blocks
from meetings.editing import Field, Payload, Refused, bad_request
from meetings.editor_blocks import BlockKind
from meetings.models import Decision, Department, Meeting, User
from meetings.templatetags.minutes import enumeration, long_date

DUE_DATE = Field(ActionItem, "due_date", gettext_lazy("完成日期"), kind="date")
FIELDS = (
    Field(ActionItem, "title", gettext_lazy("事项"), required=True, max_length=300),
    Field(
        ActionItem,
        "priority",
        gettext_lazy("优先级"),
        kind="choice",
        required=True,
        choices=tuple(Priority.values),
    ),
    Field(ActionItem, "deadline_text", gettext_lazy("完成时限"), kind="deadline", max_length=100),
    DUE_DATE,
)


def labels() -> dict:
    """Words repeated in every action item's block, translated once per page rather than per block."""
    return {
        "action": _("行动项"),
        "owners": _("责任人"),
        "owner_placeholder": _("输入姓名或部门,回车添加"),
        "deadline": _("完成时限"),
        "deadline_placeholder": _("如:两周内、3月15日前"),
        "date": _("日期"),
        "estimate": _("(预计)"),
        "event": _("下次会议排期后自动得出日期"),
        "ongoing": _("持续进行,无固定日期"),
        "unreadable": _("无法识别这个时限,已按原文保留,请选择具体日期。"),
        "no_deadline": _("尚未填写完成时限"),
        "priority": _("优先级"),
        "high": _("高"),
        "normal": _("中"),
        "low": _("低"),
    }


def action_owners_prefetch():
    """Owners with what actions.policy.ActionAccess reads of them, in one query."""
    return Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department"))


def _load(meeting: Meeting, context: dict) -> None:
    """The meeting's items, each under the first decision it serves (its lowest number): one query
    with a subquery rather than loading every link, and one for the owners."""
    first_decision = Decision.objects.filter(action_items=OuterRef("pk")).order_by("number").values("pk")[:1]
    actions = list(
        ActionItem.objects.filter(meeting=meeting)
        .annotate(first_decision_id=Subquery(first_decision))
        .order_by("pk")
        .prefetch_related(action_owners_prefetch())
    )
    by_decision: dict[int | None, list] = {}
    for action in actions:
        by_decision.setdefault(action.first_decision_id, []).append(action)
    for decision in context["decisions"]:
        decision.block_actions = by_decision.get(decision.pk, [])
    context.update(action_items=actions, free_actions=by_decision.get(None, []), action_labels=labels())


def _target(action) -> str:
    return f"#decision-actions-{action.first_decision_id}" if action.first_decision_id else "#free-actions"


def owners_from_chips(raw_owners) -> list:
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


def _add(meeting: Meeting, by, data: Payload) -> ActionItem:
    errors = {}
    title = data.text("title").strip()
    if "\x00" in title:
        errors["title"] = _("内容中含有无法保存的空字符(NUL),请删除后重试。")
    elif not title:
        errors["title"] = _("事项不能为空。")
    elif len(title) > 300:
        errors["title"] = _("事项最多 300 字,当前 %(count)s 字。") % {"count": len(title)}
    try:
        owners = owners_from_chips(data.get("owners"))
    except ValidationError as exc:
        errors["owners"] = " ".join(exc.messages)
    text = data.text("deadline_text").strip()
    if "\x00" in text:
        errors["deadline_text"] = _("内容中含有无法保存的空字符(NUL),请删除后重试。")
    elif len(text) > 100:
        errors["deadline_text"] = _("完成时限最多 100 字,当前 %(count)s 字。") % {"count": len(text)}
    due_raw = data.text("due_date").strip()
    due_date = None
    if due_raw:
        try:
            due_date = editing.parse(DUE_DATE, due_raw, obj=None)["due_date"]
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
        raise Refused(errors)
    return services.action_create(
        title=title,
        owners=owners,
        by=by,
        meeting=meeting,
        decisions=decisions,
        due_date=due_date,
        deadline_text=text,
        priority=priority,
    )


def _write(*, meeting: Meeting, obj: ActionItem, changes: dict, by) -> None:
    """An item is changed the way every other path changes it: through actions.services, which asks
    the item's policy, reads the deadline by the one rule, logs the change and keeps its reminders and
    occurrences in step ("每周五" typed over a date plans the weekly occurrences)."""
    prefetch_related_objects([obj], action_owners_prefetch())  # for the item's policy
    obj.meeting = meeting
    services.action_fields_set(action=obj, by=by, changes=changes, note=_("会议记录中修改"))


def _answer(meeting: Meeting, obj: ActionItem, field: Field) -> dict:
    """A deadline saved in place: the hint under it and the date it now has, for the page to show."""
    if field.name not in ("deadline_text", "due_date"):
        return {}
    return {
        "deadline": deadline_info(obj.deadline_text, meeting, stored=obj),
        "due_date": obj.due_date.isoformat() if obj.due_date else "",
    }


def deadline_info(text: str, meeting: Meeting, stored: ActionItem | None = None) -> dict:
    """What the page shows under a deadline wording: the date it gives, or a request to confirm.

    `stored` is the item the words belong to, once saved: the page shows its date, which is a date
    picked over the words when one was (actions.services.deadline_from)."""
    parsed = parse_deadline(text, meeting_date=timezone.localdate(meeting.starts_at))
    words = services.words_deadline(text, meeting)
    suggested = words.due_date if words is not None else None
    day = stored.due_date if stored is not None else suggested
    picked = (
        stored is not None
        and stored.deadline_kind == DeadlineKind.DATE
        and day is not None
        and day != suggested
    )
    if not text.strip():
        message = _("可填写日期,或“两周内”“下次例会前”“持续进行”“每周”等")
    elif picked:
        message = _("按所选日期:%(date)s") % {"date": long_date(day)}
    elif parsed.needs_confirmation:
        message = _("无法识别这个时限,已按原文保留,请选择具体日期。")
    elif parsed.kind == DeadlineKind.EVENT and suggested is not None:
        message = _("即下次会议 %(date)s") % {"date": long_date(suggested)}
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
        "suggested": suggested.isoformat() if suggested else "",
        "message": message,
        "confirm": parsed.needs_confirmation and not picked,
        "estimate": parsed.is_estimate,
    }


ACTION = BlockKind(
    name="action",
    model=ActionItem,
    fields=FIELDS,
    position=40,
    template="actions/_editor_action.html",
    load=_load,
    rows=lambda context: context["action_items"],
    target=_target,
    news=lambda meeting, after: ActionItem.objects.filter(meeting=meeting, pk__gt=after),
    add=_add,
    write=_write,
    answer=_answer,
    slots={
        "section": "actions/_editor_section.html",
        "in_decision": "actions/_editor_under_decision.html",
        "add_form": "actions/_editor_add_template.html",
    },
)


def register() -> None:
    editor_blocks.register(ACTION)
