"""Every URL pattern of the site, for every role, against both an ordinary and a confidential meeting.

The patterns are read from the URL resolver, so an endpoint added without an entry in ENDPOINTS fails
test_every_url_pattern_has_a_matrix_entry, and an entry whose pattern is gone fails too.

Each entry holds one or more requests (Req) that would succeed for an allowed user, and a rule saying
who may see and who may act. The expectations encode the intended policy (docs/architecture.md,
docs/lifecycle.md, meetings.policy, actions.policy), with one decision of the team on top: the recorder's
right to change action items ends when the minutes are submitted, not when they are published.

For every case (endpoint × request × role × slice):
- anonymous → the login page (302), or 401 for the editor's JSON endpoints;
- may not see → 404;
- may see but not act → the code's convention: 404 for meetings, series, templates, robots, reminders and
  render jobs (refusals reveal nothing), 403 for action items and the managers' lists;
- allowed → neither 404 nor 5xx;
- a refusal changes no row of any table of our apps (tests/endpoint_world.snapshot);
- no response contains what the role may not see of the slice (endpoint_world.forbidden_texts).

Cases that fail today because of a real hole in the code are listed in HOLES, with the reason. They
run in test_known_hole as strict xfails: once a hole is fixed, its case passes, the xfail fails, and
the entry must be removed from HOLES.

Each endpoint test builds the world once and runs every case in a savepoint that is rolled back.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import time_machine
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.endpoint_world import (
    FULL,
    KINDS,
    NOW,
    ROLES,
    World,
    changed_tables,
    forbidden_texts,
    snapshot,
)

SIGNED = frozenset(ROLES) - {"anonymous"}
ALL = frozenset(ROLES)
NOBODY = frozenset()


def per_kind(ordinary, confidential):
    return {"ordinary": frozenset(ordinary), "confidential": frozenset(confidential)}


# Who may see the meeting, edit it (the recorder only before submission: the confidential minutes are
# submitted), take part in writing it (start/submit), approve it.
VIEW_MEETING = per_kind(SIGNED, FULL)
EDIT_MEETING = per_kind({"recorder", "chair", "org_head", "staff"}, {"chair", "org_head", "staff"})
WRITERS = frozenset({"recorder", "chair", "org_head", "staff"})
APPROVERS = frozenset({"chair", "org_head", "staff"})
# The series: seen by its people, the head of its department, staff, and by everyone when it is open.
VIEW_SERIES = per_kind(SIGNED, {"chair", "recorder", "participant", "org_head", "staff"})
MANAGE_SERIES = frozenset({"chair", "recorder", "org_head", "staff"})

# Item A (and R, with the same owners), per actions.policy.ActionAccess: lead, support; managers are the
# chair, the head of the lead's department and staff; editors are the managers and whoever may still
# change the minutes (meetings.policy.edits_minutes): the organising department's head until
# publication, the recorder until submission. Everyone who sees the meeting sees its (non-confidential)
# items.
ITEM_VIEW = per_kind(SIGNED, FULL | {"lead", "support", "lead_head"})
MANAGERS = frozenset({"chair", "lead_head", "staff"})
MINUTES_EDITORS = per_kind({"recorder", "org_head"}, {"org_head"})
ITEM_UPDATE = {k: MANAGERS | {"lead", "support"} | MINUTES_EDITORS[k] for k in KINDS}
ITEM_COMPLETE = {k: MANAGERS | {"lead"} | MINUTES_EDITORS[k] for k in KINDS}
ITEM_EDIT = {k: MANAGERS | MINUTES_EDITORS[k] for k in KINDS}
# Item S serves a confidential decision: only those with full access to the meeting see it.
SECRET_ITEM_VIEW = per_kind(FULL, FULL)
# The carried-over item of the previous (published) meeting: its recorder's rights ended there.
CARRIED_UPDATE = MANAGERS | {"lead", "support"}
CARRIED_EDIT = MANAGERS
HEADS = frozenset({"org_head", "lead_head"})
CHANNEL_MANAGERS = frozenset({"staff", "org_head", "lead_head"})
# The slice's robot channel belongs to the series of 华东销售组, which 销售部's head manages.
CHANNEL_OWNERS = frozenset({"staff", "org_head"})


def _roles(spec, kind):
    if spec is None:
        return None
    if isinstance(spec, dict):
        return spec[kind]
    return spec


@dataclass(frozen=True)
class Outcome:
    kind: str  # "login", "401", "404", "deny" (status in `statuses`), "noop" (idem), "ok"
    statuses: frozenset = frozenset()

    @property
    def refused(self) -> bool:
        return self.kind != "ok"


def rule(see=SIGNED, act=None, deny=(404,), anon="login", ok=None, noop=None):
    """Who sees (else 404) and who acts (else `deny`); `noop`: a refusal answered with one of these
    statuses (the request is accepted and changes nothing, e.g. a bulk action skipping the item)."""

    def expect(role, kind):
        if role == "anonymous":
            if anon == "ok":
                return Outcome("ok", frozenset(ok or ()))
            return Outcome(anon)
        if role not in _roles(see, kind):
            return Outcome("404")
        acting = _roles(act, kind)
        if acting is not None and role not in acting:
            if noop is not None:
                return Outcome("noop", frozenset(noop))
            return Outcome("deny", frozenset(deny))
        return Outcome("ok", frozenset(ok or ()))

    return expect


JSON = "json"  # a POST whose body is JSON (the live editor)


@dataclass
class Req:
    method: str
    url: Callable  # (world, kind, role) -> str
    data: object = None  # dict, or (world, kind, role) -> dict
    expect: Callable = field(default_factory=rule)
    label: str = ""
    reader: Callable | None = None  # whose eyes the response is for, when it is not the requester's


def _m(name, *extra):
    """A meeting URL of the slice: reverse(name, [meeting, *extra(world, slice)])."""

    def url(w, kind, role):
        s = w.k[kind]
        return reverse(name, args=[s.meeting.pk, *(e(w, s) for e in extra)])

    return url


def _obj(name, attr, *extra):
    def url(w, kind, role):
        s = w.k[kind]
        return reverse(name, args=[_attr(s, attr).pk, *extra])

    return url


def _attr(s, path):
    for part in path.split("."):
        s = getattr(s, part)
    return s


def _fixed(name, *args):
    return lambda w, kind, role: reverse(name, args=list(args))


def _own_token(app):
    """The requester's own feed (an anonymous calendar app uses the lead's: the token is the credential)."""

    def url(w, kind, role):
        return reverse(f"{app}:calendar_feed", args=[w.feeds["lead" if role == "anonymous" else role].token])

    return url


def _foreign_version(w, s):
    return 2 if s.kind == "confidential" else 3


def _lead_reads(role):
    return "lead" if role == "anonymous" else role


def _save(entity, attr, field_name, suffix="(修订)", other=False):
    def data(w, kind, role):
        s = w.other(kind) if other else w.k[kind]
        obj = _attr(s, attr)
        value = str(getattr(obj, field_name))
        return {"entity": entity, "pk": obj.pk, "field": field_name, "base": value, "value": value + suffix}

    return data


def _owners_chip(role_name):
    def data(w, kind, role):
        user = w.users[role_name]
        return {"owners": [{"type": "u", "id": user.pk, "role": "lead", "label": user.name}]}

    return data


def _editor_owners(other=False):
    def url(w, kind, role):
        s = w.k[kind]
        item = w.other(kind).item if other else s.item
        return reverse("meeting_actions:editor_owners", args=[s.meeting.pk, item.pk])

    return url


def _review(which):
    def url(w, kind, role):
        s = w.k[kind]
        item = {"carried": s.carried, "foreign": w.other(kind).carried, "own": s.item}[which]
        return reverse("meeting_actions:review_update", args=[s.meeting.pk, item.pk])

    return url


def _delete(kind_name, attr, other=False):
    def url(w, kind, role):
        s = w.k[kind]
        obj = _attr(w.other(kind) if other else s, attr)
        return reverse("meetings:editor_delete", args=[s.meeting.pk, kind_name, obj.pk])

    return url


def _add(kind_name):
    return lambda w, kind, role: reverse("meetings:editor_add", args=[w.k[kind].meeting.pk, kind_name])


def _action_block(other_decision=False):
    def data(w, kind, role):
        decision = (w.other(kind) if other_decision else w.k[kind]).d1
        lead = w.users["lead"]
        return {
            "title": "补充渠道费用台账",
            "owners": [{"type": "u", "id": lead.pk, "role": "lead", "label": lead.name}],
            "deadline_text": "",
            "due_date": "2026-04-01",
            "decisions": [decision.pk],
        }

    return data


def _series_form(title):
    return {
        "title": title,
        "kind": "regular",
        "recurrence": "weekly",
        "weekday": "2",
        "first_date": "2026-03-11",
        "start_time": "10:00",
        "duration_minutes": "60",
        "visibility": "participants",
        "create_days_ahead": "3",
    }


def _channel_form(w, kind, role):
    department = w.departments.market if role == "lead_head" else w.departments.east
    return {
        "name": "新机器人",
        "platform": "wecom",
        "department": department.pk,
        "series": "",
        "webhook_url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=new",
        "secret": "",
        "enabled": "on",
    }


EDITOR_JSON = {"anon": "401"}
EDITED_ITEM = {
    "ordinary": EDIT_MEETING["ordinary"] & ITEM_EDIT["ordinary"],
    "confidential": EDIT_MEETING["confidential"] & ITEM_EDIT["confidential"],
}
REVIEW_UPDATE = {k: EDIT_MEETING[k] & CARRIED_UPDATE for k in KINDS}
REVIEW_EDIT = {k: EDIT_MEETING[k] & CARRIED_EDIT for k in KINDS}

ENDPOINTS: dict[str, list[Req]] = {
    # --- config
    "home": [Req("get", _fixed("home"))],
    "healthz": [Req("get", _fixed("healthz"), expect=rule(see=ALL, anon="ok", ok=(200, 503)))],
    "login": [Req("get", _fixed("login"), expect=rule(see=ALL, anon="ok"))],
    "logout": [Req("post", _fixed("logout"), expect=rule(see=ALL, anon="ok"))],
    "set_language": [
        Req("post", _fixed("set_language"), {"language": "zh-hans", "next": "/"}, rule(see=ALL, anon="ok"))
    ],
    # --- meetings: list, create, the page and its forms
    "meetings:list": [Req("get", _fixed("meetings:list"))],
    "meetings:create": [
        Req("get", _fixed("meetings:create"), label="form"),
        Req(
            "post",
            _fixed("meetings:create"),
            {"title": "渠道策略讨论", "kind": "topic", "starts_at": "2026-03-20T14:00"},
            label="plain",
        ),
        Req(
            "post",
            _fixed("meetings:create"),
            lambda w, k, r: {
                "title": "系列加开会议",
                "kind": "regular",
                "starts_at": "2026-03-20T14:00",
                "series": w.k[k].series.pk,
            },
            rule(act=VIEW_SERIES, deny=(200, 400)),
            label="in_series",
        ),
    ],
    "meetings:detail": [Req("get", _m("meetings:detail"), expect=rule(see=VIEW_MEETING))],
    "meetings:attendance_add": [
        Req(
            "post",
            _m("meetings:attendance_add"),
            {
                "guest_name": "外部专家",
                "guest_organisation": "咨询公司",
                "role": "guest",
                "status": "present",
            },
            rule(see=VIEW_MEETING, act=EDIT_MEETING),
        )
    ],
    "meetings:agenda_add": [
        Req(
            "post",
            _m("meetings:agenda_add"),
            {"title": "新议题", "day": 1},
            rule(see=VIEW_MEETING, act=EDIT_MEETING),
        )
    ],
    "meetings:report_add": [
        Req(
            "post",
            _m("meetings:report_add"),
            lambda w, k, r: {
                "agenda_item": w.k[k].topic.pk,
                "speaker_name": "外部嘉宾",
                "content": "补充汇报",
            },
            rule(see=VIEW_MEETING, act=EDIT_MEETING),
        )
    ],
    "meetings:decision_add": [
        Req(
            "post",
            _m("meetings:decision_add"),
            lambda w, k, r: {"agenda_item": w.k[k].topic.pk, "text": "新增决议"},
            rule(see=VIEW_MEETING, act=EDIT_MEETING),
        )
    ],
    "meeting_actions:add": [
        Req(
            "post",
            _m("meeting_actions:add"),
            lambda w, k, r: {
                "title": "补充渠道费用台账",
                "lead_user": w.users["lead"].pk,
                "due_date": "2026-04-01",
                "deadline_kind": "date",
                "priority": "normal",
                "checkin_days": "14",
            },
            rule(see=VIEW_MEETING, act=EDIT_MEETING),
        )
    ],
    # --- the minutes' life
    "meetings:start": [Req("post", _m("meetings:start"), {}, rule(see=VIEW_MEETING, act=WRITERS))],
    "meetings:submit": [Req("post", _m("meetings:submit"), {}, rule(see=VIEW_MEETING, act=WRITERS))],
    "meetings:approve": [Req("post", _m("meetings:approve"), {}, rule(see=VIEW_MEETING, act=APPROVERS))],
    "meetings:return": [
        Req("post", _m("meetings:return"), {"comment": "请补充决议"}, rule(see=VIEW_MEETING, act=APPROVERS))
    ],
    "meetings:reopen": [
        Req("post", _m("meetings:reopen"), {"reason": "更正"}, rule(see=VIEW_MEETING, act=APPROVERS))
    ],
    "meetings:comment_add": [
        Req("post", _m("meetings:comment_add"), {"text": "请补充"}, rule(see=VIEW_MEETING, act=FULL))
    ],
    "meetings:history": [Req("get", _m("meetings:history"), expect=rule(see=VIEW_MEETING))],
    "meetings:versions": [Req("get", _m("meetings:versions"), expect=rule(see=VIEW_MEETING))],
    "meetings:version_snapshot": [
        Req("get", _m("meetings:version_snapshot", lambda w, s: 1), expect=rule(see=VIEW_MEETING)),
        # A version number only another meeting has (v2 of the ordinary one), or none: 404 for everyone.
        Req(
            "get", _m("meetings:version_snapshot", _foreign_version), expect=rule(see=NOBODY), label="foreign"
        ),
    ],
    "meeting_actions:review_update": [
        Req(
            "post",
            _review("carried"),
            {"progress": "60", "note": "回顾时更新"},
            rule(see=VIEW_MEETING, act=REVIEW_UPDATE, deny=(403, 404)),
            label="progress",
        ),
        Req(
            "post",
            _review("carried"),
            {"status": "cancelled", "note": "不再需要"},
            rule(see=VIEW_MEETING, act=REVIEW_EDIT, deny=(403, 404)),
            label="cancel",
        ),
        Req(
            "post",
            _review("carried"),
            {"status": "done", "note": "已完成"},
            rule(
                see=VIEW_MEETING,
                act={k: EDIT_MEETING[k] & (MANAGERS | {"lead"}) for k in KINDS},
                deny=(403, 404),
            ),
            label="complete",
        ),
        # Another series' carried item, and an item of this very meeting (not under review): 404.
        Req("post", _review("foreign"), {"progress": "60"}, rule(see=NOBODY), label="foreign_series"),
        Req("post", _review("own"), {"progress": "60"}, rule(see=NOBODY), label="not_under_review"),
    ],
    "meetings:agenda_postponed": [
        Req(
            "post",
            _m("meetings:agenda_postponed", lambda w, s: s.topic.pk),
            {"postponed": "1"},
            rule(see=VIEW_MEETING, act=EDIT_MEETING),
        ),
        Req(
            "post",
            lambda w, k, r: reverse(
                "meetings:agenda_postponed", args=[w.k[k].meeting.pk, w.other(k).topic.pk]
            ),
            {"postponed": "1"},
            rule(see=NOBODY),
            label="foreign_item",
        ),
    ],
    "meetings:agenda_postpone": [
        Req(
            "post",
            _m("meetings:agenda_postpone"),
            {},
            rule(see=VIEW_MEETING, act={k: EDIT_MEETING[k] | APPROVERS for k in KINDS}),
        )
    ],
    "meetings:save_template": [
        Req("post", _m("meetings:save_template"), {"name": "周例会模板"}, rule(see=VIEW_MEETING, act=FULL))
    ],
    "meetings:invite": [Req("post", _m("meetings:invite"), {}, rule(see=VIEW_MEETING, act=EDIT_MEETING))],
    "meetings:ics": [Req("get", _m("meetings:ics"), expect=rule(see=VIEW_MEETING))],
    # --- series and templates
    "meetings:series_list": [Req("get", _fixed("meetings:series_list"))],
    "meetings:series_create": [
        Req("get", _fixed("meetings:series_create"), label="form"),
        Req("post", _fixed("meetings:series_create"), _series_form("产品周会"), label="save"),
    ],
    "meetings:series_detail": [
        Req("get", _obj("meetings:series_detail", "series"), expect=rule(see=VIEW_SERIES))
    ],
    "meetings:series_edit": [
        Req(
            "get",
            _obj("meetings:series_edit", "series"),
            expect=rule(see=VIEW_SERIES, act=MANAGE_SERIES),
            label="form",
        ),
        Req(
            "post",
            _obj("meetings:series_edit", "series"),
            _series_form("改名后的周例会"),
            rule(see=VIEW_SERIES, act=MANAGE_SERIES),
            label="save",
        ),
    ],
    "meetings:series_next": [
        Req("post", _obj("meetings:series_next", "series"), {}, rule(see=VIEW_SERIES, act=MANAGE_SERIES))
    ],
    "meetings:series_ics": [Req("get", _obj("meetings:series_ics", "series"), expect=rule(see=VIEW_SERIES))],
    "meetings:template_list": [Req("get", _fixed("meetings:template_list"))],
    # A template names its meeting's title and agenda: from the confidential meeting, only those who may
    # see that meeting may see or use it.
    "meetings:template_use": [
        Req("get", _obj("meetings:template_use", "template"), expect=rule(see=VIEW_MEETING), label="form"),
        Req(
            "post",
            _obj("meetings:template_use", "template"),
            {"title": "", "starts_at": "2026-03-20T14:00"},
            rule(see=VIEW_MEETING),
            label="create",
        ),
    ],
    "meetings:template_delete": [
        Req(
            "post",
            _obj("meetings:template_delete", "template"),
            {},
            rule(see=VIEW_MEETING, act={"chair", "staff"}),
        )
    ],
    "meetings_calendar:calendar": [
        Req("get", _fixed("meetings_calendar:calendar"), label="page"),
        Req("post", _fixed("meetings_calendar:calendar"), {}, label="reset"),
    ],
    "meetings_calendar:calendar_feed": [
        Req(
            "get",
            _own_token("meetings_calendar"),
            expect=rule(see=ALL, anon="ok"),
            reader=_lead_reads,
            label="own",
        ),
        # Someone else's token: the token is the credential (calendar apps cannot sign in), so it answers
        # with that user's feed, whoever asks, and nothing beyond what that user may see.
        Req(
            "get",
            lambda w, k, r: reverse("meetings_calendar:calendar_feed", args=[w.feeds["support"].token]),
            expect=rule(see=ALL, anon="ok"),
            reader=lambda role: "support",
            label="other_users_token",
        ),
        Req(
            "get",
            lambda w, k, r: reverse("meetings_calendar:calendar_feed", args=[w.old_token]),
            expect=rule(see=NOBODY, anon="404"),
            label="reset_token",
        ),
    ],
    # --- the live editor
    "meetings:editor": [Req("get", _m("meetings:editor"), expect=rule(see=EDIT_MEETING))],
    "meetings:editor_save": [
        Req(
            JSON,
            _m("meetings:editor_save"),
            _save("meeting", "meeting", "title"),
            rule(see=EDIT_MEETING, **EDITOR_JSON),
            label="meeting",
        ),
        Req(
            JSON,
            _m("meetings:editor_save"),
            _save("agenda", "topic", "title"),
            rule(see=EDIT_MEETING, **EDITOR_JSON),
            label="agenda",
        ),
        Req(
            JSON,
            _m("meetings:editor_save"),
            _save("decision", "d1", "text"),
            rule(see=EDIT_MEETING, **EDITOR_JSON),
            label="decision",
        ),
        # An action item is changed by its editors (ActionAccess.can_edit), not by whoever edits the minutes.
        Req(
            JSON,
            _m("meetings:editor_save"),
            _save("action", "item", "title"),
            rule(see=EDIT_MEETING, act=EDITED_ITEM, deny=(403, 404), **EDITOR_JSON),
            label="action",
        ),
        Req(
            JSON,
            _m("meetings:editor_save"),
            _save("agenda", "topic", "title", other=True),
            rule(see=EDIT_MEETING, act=NOBODY, deny=(404, 410), **EDITOR_JSON),
            label="foreign_agenda",
        ),
        Req(
            JSON,
            _m("meetings:editor_save"),
            _save("action", "item", "title", other=True),
            rule(see=EDIT_MEETING, act=NOBODY, deny=(404, 410), **EDITOR_JSON),
            label="foreign_action",
        ),
        Req(
            JSON,
            _m("meetings:editor_save"),
            lambda w, k, r: {**_save("meeting", "meeting", "title")(w, k, r), "pk": w.other(k).meeting.pk},
            rule(see=EDIT_MEETING, act=NOBODY, deny=(404, 410), **EDITOR_JSON),
            label="foreign_meeting",
        ),
    ],
    "meetings:editor_add": [
        Req(
            JSON,
            _add("agenda"),
            {"title": "新议题", "day": 1},
            rule(see=EDIT_MEETING, **EDITOR_JSON),
            label="agenda",
        ),
        Req(
            JSON,
            _add("report"),
            lambda w, k, r: {
                "agenda_item": w.k[k].topic.pk,
                "speaker_any": "t:外部嘉宾",
                "content": "补充汇报",
            },
            rule(see=EDIT_MEETING, **EDITOR_JSON),
            label="report",
        ),
        Req(
            JSON,
            _add("decision"),
            {"text": "新增决议"},
            rule(see=EDIT_MEETING, **EDITOR_JSON),
            label="decision",
        ),
        # Adding an item is writing the minutes (like meeting_actions:add); the new item's editors are
        # then those of ActionAccess.
        Req(JSON, _add("action"), _action_block(), rule(see=EDIT_MEETING, **EDITOR_JSON), label="action"),
        Req(
            JSON,
            _add("guest"),
            {"guest_name": "外部专家", "guest_organisation": "咨询公司"},
            rule(see=EDIT_MEETING, **EDITOR_JSON),
            label="guest",
        ),
        Req(
            JSON,
            _add("action"),
            _action_block(other_decision=True),
            rule(see=EDIT_MEETING, act=NOBODY, deny=(400, 404), **EDITOR_JSON),
            label="action_foreign_decision",
        ),
        Req(
            JSON,
            _add("report"),
            lambda w, k, r: {
                "agenda_item": w.other(k).topic.pk,
                "speaker_any": "t:外部嘉宾",
                "content": "补充",
            },
            rule(see=EDIT_MEETING, act=NOBODY, deny=(400, 404), **EDITOR_JSON),
            label="report_foreign_agenda",
        ),
    ],
    # The editor's action items (actions/views/minutes.py), asked like the rest of the editor.
    "meeting_actions:editor_owners": [
        Req(
            JSON,
            _editor_owners(),
            _owners_chip("lead_head"),
            rule(see=EDIT_MEETING, act=EDITED_ITEM, deny=(403, 404), **EDITOR_JSON),
            label="own",
        ),
        Req(
            JSON,
            _editor_owners(other=True),
            _owners_chip("lead_head"),
            rule(see=EDIT_MEETING, act=NOBODY, deny=(404, 410), **EDITOR_JSON),
            label="foreign_item",
        ),
    ],
    "meetings:editor_reorder": [
        Req(
            JSON,
            _m("meetings:editor_reorder"),
            lambda w, k, r: {
                "order": [[w.k[k].secret_agenda.pk, 1], [w.k[k].topic.pk, 1], [w.k[k].review.pk, 1]]
            },
            rule(see=EDIT_MEETING, **EDITOR_JSON),
            label="own",
        ),
        Req(
            JSON,
            _m("meetings:editor_reorder"),
            lambda w, k, r: {"order": [[w.other(k).secret_agenda.pk, 1], [w.other(k).topic.pk, 1]]},
            rule(see=EDIT_MEETING, act=NOBODY, noop=(200,), **EDITOR_JSON),
            label="foreign_items",
        ),
    ],
    "meetings:editor_delete": [
        Req(JSON, _delete("agenda", "topic"), {}, rule(see=EDIT_MEETING, **EDITOR_JSON), label="agenda"),
        Req(JSON, _delete("report", "report"), {}, rule(see=EDIT_MEETING, **EDITOR_JSON), label="report"),
        # Another meeting's rows: nothing happens (the page treats it as already gone).
        Req(
            JSON,
            _delete("agenda", "topic", other=True),
            {},
            rule(see=EDIT_MEETING, act=NOBODY, noop=(200, 404, 410), **EDITOR_JSON),
            label="foreign_agenda",
        ),
        Req(
            JSON,
            _delete("report", "report", other=True),
            {},
            rule(see=EDIT_MEETING, act=NOBODY, noop=(200, 404, 410), **EDITOR_JSON),
            label="foreign_report",
        ),
    ],
    "meetings:editor_news": [
        Req("get", _m("meetings:editor_news"), expect=rule(see=EDIT_MEETING, **EDITOR_JSON))
    ],
    "meeting_actions:editor_deadline": [
        Req(
            "get",
            lambda w, k, r: _m("meeting_actions:editor_deadline")(w, k, r) + "?text=两周内",
            expect=rule(see=EDIT_MEETING, **EDITOR_JSON),
        )
    ],
    "meetings:editor_directory": [
        Req("get", _m("meetings:editor_directory"), expect=rule(see=EDIT_MEETING, **EDITOR_JSON))
    ],
    "meetings:editor_token": [
        Req("get", _m("meetings:editor_token"), expect=rule(see=EDIT_MEETING, **EDITOR_JSON))
    ],
    # Where the sign-in tab lands: names nothing but the meeting's number.
    "meetings:editor_relogin": [Req("get", _m("meetings:editor_relogin"))],
    # --- action items
    "actions:my": [Req("get", _fixed("actions:my"))],
    "actions:detail": [
        Req("get", _obj("actions:detail", "item"), expect=rule(see=ITEM_VIEW), label="item"),
        Req(
            "get",
            _obj("actions:detail", "secret_item"),
            expect=rule(see=SECRET_ITEM_VIEW),
            label="secret_item",
        ),
    ],
    "actions:complete": [
        Req(
            "post",
            _obj("actions:complete", "item"),
            {"note": "已完成"},
            rule(see=ITEM_VIEW, act=ITEM_COMPLETE, deny=(403,)),
        )
    ],
    "actions:panel": [
        Req(
            "get",
            _obj("actions:panel", "item", "progress"),
            expect=rule(see=ITEM_VIEW, act=ITEM_UPDATE, deny=(403,)),
        )
    ],
    "actions:progress": [
        Req(
            "post",
            _obj("actions:progress", "item"),
            {"progress": "50"},
            rule(see=ITEM_VIEW, act=ITEM_UPDATE, deny=(403,)),
        )
    ],
    "actions:note": [
        Req(
            "post",
            _obj("actions:note", "item"),
            {"note": "已联系供应商"},
            rule(see=ITEM_VIEW, act=ITEM_UPDATE, deny=(403,)),
        )
    ],
    "actions:deadline": [
        Req(
            "post",
            _obj("actions:deadline", "item"),
            {"new_due_date": "2026-04-30", "reason": "供应商延期交货"},
            rule(see=ITEM_VIEW, act=ITEM_UPDATE, deny=(403,)),
        )
    ],
    "actions:status": [
        Req(
            "post",
            _obj("actions:status", "item"),
            {"status": "on_hold", "reason": "等待预算批复"},
            rule(see=ITEM_VIEW, act=ITEM_EDIT, deny=(403,)),
        )
    ],
    "actions:owners": [
        Req(
            "post",
            _obj("actions:owners", "item"),
            lambda w, k, r: {"lead_users": [w.users["lead_head"].pk], "reason": "改由部门负责人牵头"},
            rule(see=ITEM_VIEW, act=ITEM_EDIT, deny=(403,)),
        )
    ],
    # The pending request is the lead's (on item R): only deciders decide it.
    "actions:deadline_decide": [
        Req(
            "post",
            _obj("actions:deadline_decide", "pending"),
            {"decision": "approve"},
            rule(see=ITEM_VIEW, act=MANAGERS, deny=(403,)),
        )
    ],
    "actions:occurrence_deliver": [
        Req(
            "post",
            _obj("actions:occurrence_deliver", "occurrence"),
            {},
            rule(see=ITEM_VIEW, act=ITEM_UPDATE, deny=(403,)),
        )
    ],
    "actions:attachment": [
        Req("get", _obj("actions:attachment", "entry"), expect=rule(see=ITEM_VIEW), label="item"),
        Req(
            "get",
            _obj("actions:attachment", "secret_entry"),
            expect=rule(see=SECRET_ITEM_VIEW),
            label="secret_item",
        ),
    ],
    # The lead's signed link: anyone else signed in is told it is not theirs (403).
    "actions:link": [
        Req(
            "get",
            lambda w, k, r: reverse("actions:link", args=[w.k[k].link]),
            expect=rule(act={"lead"}, deny=(403,)),
            label="show",
        ),
        Req(
            "post",
            lambda w, k, r: reverse("actions:link", args=[w.k[k].link]),
            {"note": "已完成"},
            rule(act={"lead"}, deny=(403,)),
            label="use",
        ),
    ],
    "actions:calendar": [
        Req("get", _fixed("actions:calendar"), label="page"),
        Req("post", _fixed("actions:calendar"), {}, label="reset"),
    ],
    "actions:calendar_feed": [
        Req("get", _own_token("actions"), expect=rule(see=ALL, anon="ok"), reader=_lead_reads, label="own"),
        # Someone else's token: the token is the credential (calendar apps cannot sign in), so it answers
        # with that user's feed, whoever asks, and nothing beyond what that user may see.
        Req(
            "get",
            lambda w, k, r: reverse("actions:calendar_feed", args=[w.feeds["support"].token]),
            expect=rule(see=ALL, anon="ok"),
            reader=lambda role: "support",
            label="other_users_token",
        ),
        Req(
            "get",
            lambda w, k, r: reverse("actions:calendar_feed", args=[w.old_token]),
            expect=rule(see=NOBODY, anon="404"),
            label="reset_token",
        ),
    ],
    "actions:reminder_preferences": [
        Req("get", _fixed("actions:reminder_preferences"), label="form"),
        Req(
            "post",
            _fixed("actions:reminder_preferences"),
            {"mode": "digest", "support_reminders": "on", "email": "on", "time_zone": "Asia/Shanghai"},
            label="save",
        ),
    ],
    "actions:department": [Req("get", _fixed("actions:department"), expect=rule(act=HEADS, deny=(403,)))],
    "actions:all": [Req("get", _fixed("actions:all"), expect=rule(act={"staff"}, deny=(403,)))],
    "actions:export": [
        Req("get", _fixed("actions:export", "csv"), expect=rule(act=HEADS, deny=(403,)), label="department"),
        Req(
            "get",
            lambda w, k, r: reverse("actions:export", args=["xlsx"]) + "?scope=all",
            expect=rule(act={"staff"}, deny=(403,)),
            label="all",
        ),
    ],
    # Anyone may post a bulk change; the items they may not edit are counted as refused, not changed.
    "actions:bulk": [
        Req(
            "post",
            _fixed("actions:bulk"),
            lambda w, k, r: {
                "items": [w.k[k].item.pk],
                "operation": "cancel",
                "reason": "并入其他事项",
                "confirm": "1",
            },
            rule(act=ITEM_EDIT, noop=(302,)),
        )
    ],
    "actions:notifications": [Req("get", _fixed("actions:notifications"))],
    # The lead's notification: anyone else's answers 404.
    "actions:notification_open": [
        Req("get", _obj("actions:notification_open", "notification"), expect=rule(see={"lead"}))
    ],
    "actions:notification_read": [
        Req("post", _obj("actions:notification_read", "notification"), {}, rule(see={"lead"}))
    ],
    "actions:notifications_read_all": [Req("post", _fixed("actions:notifications_read_all"), {})],
    "actions:channels": [Req("get", _fixed("actions:channels"), expect=rule(see=CHANNEL_MANAGERS))],
    "actions:channel_create": [
        Req("get", _fixed("actions:channel_create"), expect=rule(see=CHANNEL_MANAGERS), label="form"),
        Req(
            "post", _fixed("actions:channel_create"), _channel_form, rule(see=CHANNEL_MANAGERS), label="save"
        ),
    ],
    "actions:channel_edit": [
        Req("get", _obj("actions:channel_edit", "channel"), expect=rule(see=CHANNEL_OWNERS))
    ],
    "actions:channel_test": [
        Req("post", _obj("actions:channel_test", "channel"), {}, rule(see=CHANNEL_OWNERS))
    ],
    "actions:channel_delete": [
        Req("post", _obj("actions:channel_delete", "channel"), {}, rule(see=CHANNEL_OWNERS))
    ],
    "actions:reminders": [Req("get", _fixed("actions:reminders"), expect=rule(see={"staff"}))],
    "actions:reminder_resend": [
        Req("post", _obj("actions:reminder_resend", "reminder"), {}, rule(see={"staff"}))
    ],
    # --- reports
    "reports:minutes_pdf": [Req("get", _m("reports:minutes_pdf"), expect=rule(see=VIEW_MEETING))],
    "reports:minutes_version_pdf": [
        Req("get", _m("reports:minutes_version_pdf", lambda w, s: 1), expect=rule(see=VIEW_MEETING)),
        Req(
            "get",
            _m("reports:minutes_version_pdf", _foreign_version),
            expect=rule(see=NOBODY),
            label="foreign",
        ),
    ],
    "reports:minutes_docx": [Req("get", _m("reports:minutes_docx"), expect=rule(see=VIEW_MEETING))],
    "reports:minutes_print": [Req("get", _m("reports:minutes_print"), expect=rule(see=VIEW_MEETING))],
    "reports:period": [Req("get", _fixed("reports:period"), expect=rule(act=HEADS | {"staff"}, deny=(403,)))],
    # The chair's render of the whole minutes (confidential parts included): for full access only.
    "reports:job_progress": [Req("get", _obj("reports:job_progress", "job_done"), expect=rule(see=FULL))],
    "reports:job_retry": [Req("post", _obj("reports:job_retry", "job_failed"), {}, rule(see=FULL))],
    "reports:job_download": [
        Req("get", _obj("reports:job_download", "job_done", "pdf"), expect=rule(see=FULL))
    ],
}


# --- Known holes: (endpoint, label, role, kind) → what happens and what should.

HOLES: dict[tuple[str, str, str, str], str] = {}


def _hole(endpoint, labels, roles, kinds, reason):
    for label in labels:
        for role in roles:
            for kind in kinds:
                HOLES[(endpoint, label, role, kind)] = f"HOLE: {reason}"


# None known. When a case fails because the code is wrong and cannot be fixed at once, list it here with
# _hole(endpoint, labels, roles, kinds, "what happens; what should"), so that it runs as a strict xfail.


CASES = [
    (endpoint, req.label, role, kind)
    for endpoint, reqs in ENDPOINTS.items()
    for req in reqs
    for role in ROLES
    for kind in KINDS
]


def case_id(case):
    endpoint, label, role, kind = case
    return "-".join(p for p in (endpoint, label, role, kind) if p)


# --- Running one case


def _request(client, w, req, role, kind):
    url = req.url(w, kind, role)
    data = req.data(w, kind, role) if callable(req.data) else req.data
    if req.method == "get":
        return client.get(url)
    if req.method == JSON:
        return client.post(url, data or {}, content_type="application/json")
    return client.post(url, data or {})


TEXT_TYPES = ("text/", "application/json")


def check_case(client, w, endpoint, req, role, kind) -> list[str]:
    """Run one case in a savepoint that is rolled back; return what went wrong (empty: as expected)."""
    expected = req.expect(role, kind)
    problems = []
    with transaction.atomic():
        client.logout()
        if w.users[role] is not None:
            client.force_login(w.users[role])
        before = snapshot() if expected.refused else None
        response = _request(client, w, req, role, kind)
        status = response.status_code
        where = f"{req.method.upper()} {response.request['PATH_INFO']}"
        if status >= 500:
            problems.append(f"{where}: {status}")
        elif expected.kind == "login":
            location = response.get("Location", "")
            if not (status == 302 and location.startswith(reverse("login"))):
                problems.append(f"{where}: expected the login redirect, got {status} {location}")
        elif expected.kind in ("401", "404"):
            if status != int(expected.kind):
                problems.append(f"{where}: expected {expected.kind}, got {status}")
        elif expected.kind in ("deny", "noop"):
            if status not in expected.statuses:
                problems.append(f"{where}: expected one of {sorted(expected.statuses)}, got {status}")
        else:
            if status == 404:
                problems.append(f"{where}: allowed, got 404")
            elif expected.statuses and status not in expected.statuses:
                problems.append(
                    f"{where}: allowed, expected one of {sorted(expected.statuses)}, got {status}"
                )
        if before is not None:
            changed = changed_tables(before, snapshot())
            if changed:
                problems.append(f"{where}: refused ({status}) but changed {', '.join(changed)}")
        content_type = response.get("Content-Type", "")
        if not getattr(response, "streaming", False) and content_type.startswith(TEXT_TYPES):
            body = response.content.decode(errors="ignore")
            reader = req.reader(role) if req.reader else role
            leaked = [text for text in forbidden_texts(reader, kind) if text in body]
            if leaked:
                problems.append(f"{where}: shows {role} what they may not see: {', '.join(leaked)}")
        transaction.set_rollback(True)
    return [f"[{endpoint} {req.label} / {role} / {kind}] {p}" for p in problems]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEETINGS_ALLOW_SELF_APPROVAL = False
    with time_machine.travel(NOW, tick=False):
        yield World()


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_endpoint_answers_every_role_as_intended(client, world, endpoint):
    problems, ran = [], 0
    for req in ENDPOINTS[endpoint]:
        for role in ROLES:
            for kind in KINDS:
                if (endpoint, req.label, role, kind) in HOLES:
                    continue  # test_known_hole
                problems += check_case(client, world, endpoint, req, role, kind)
                ran += 1
    assert ran
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=HOLES[c]), id=case_id(c)) for c in HOLES],
)
def test_known_hole(client, world, case):
    endpoint, label, role, kind = case
    req = next(r for r in ENDPOINTS[endpoint] if r.label == label)
    problems = check_case(client, world, endpoint, req, role, kind)
    assert not problems, "\n".join(problems)


# --- The table covers the site


def url_pattern_names(resolver=None, namespace=""):
    """Every named pattern, namespaced ("meetings:detail"), except the admin's and static files."""
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if inner.startswith("admin:"):
                continue
            names |= url_pattern_names(entry, inner)
        elif isinstance(entry, URLPattern):
            if str(entry.pattern).startswith(("static/", "media/")):
                continue
            names.add(f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>")
    return names


def test_every_url_pattern_has_a_matrix_entry():
    missing = sorted(url_pattern_names() - set(ENDPOINTS))
    assert not missing, "URL patterns without an entry in ENDPOINTS: " + ", ".join(missing)


def test_every_matrix_entry_names_a_url_pattern():
    gone = sorted(set(ENDPOINTS) - url_pattern_names())
    assert not gone, "ENDPOINTS entries whose URL pattern no longer exists: " + ", ".join(gone)


def test_every_hole_names_a_case():
    assert set(HOLES) <= set(CASES), sorted(set(HOLES) - set(CASES))
    labels = {(e, r.label) for e, reqs in ENDPOINTS.items() for r in reqs}
    assert len(labels) == sum(len(reqs) for reqs in ENDPOINTS.values()), "labels repeat within an entry"


def test_the_matrix_runs_enough_cases(capsys):
    with capsys.disabled():
        print(
            f"\nendpoint matrix: {len(ENDPOINTS)} URL patterns,"
            f" {sum(len(r) for r in ENDPOINTS.values())} requests,"
            f" {len(ROLES)} roles × {len(KINDS)} slices = {len(CASES)} cases ({len(HOLES)} known holes)"
        )
    assert len(CASES) >= 1500


def test_no_pattern_is_left_to_the_anonymous_by_accident():
    """The endpoints anonymous visitors may use, spelled out."""
    public = {
        e for e, reqs in ENDPOINTS.items() for r in reqs if r.expect("anonymous", "ordinary").kind == "ok"
    }
    assert public == {
        "healthz",
        "login",
        "logout",
        "set_language",
        "meetings_calendar:calendar_feed",
        "actions:calendar_feed",
    }


# --- What a template carries into a new meeting (the other half of the template holes above)


@pytest.mark.parametrize("kind", KINDS)
def test_a_meeting_from_a_template_keeps_what_was_confidential(client, world, kind):
    from meetings.models import Meeting

    s = world.k[kind]
    client.force_login(world.users["chair"])  # full access: may save and use the template
    response = client.post(
        reverse("meetings:template_use", args=[s.template.pk]),
        {"title": "下一次会议", "starts_at": "2026-03-23T09:30"},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="下一次会议")
    carried = meeting.agenda_items.filter(title=s.texts["secret_agenda"]).first()
    assert carried is None or carried.is_confidential
    assert meeting.is_confidential == s.meeting.is_confidential
