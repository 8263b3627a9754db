"""The action items' part of the stored minutes (meetings.document): this meeting's items and how the
previous meeting's items stand, as plain data. Registered in `meetings.hooks.snapshot_parts`;
what a reader without full access may not see is marked confidential, and meetings.document drops it."""

import datetime

from django.db.models import Prefetch

from actions.models import ActionItem, ActionOwner, ProgressEntry
from meetings import series
from meetings.document import decision_is_confidential, iso
from meetings.models import Decision, Meeting


def _owners(action: ActionItem, role: str) -> list[str]:
    return [owner.owner_name for owner in action.owners.all() if owner.role == role]


def _action(action: ActionItem, number: int, confidential_decisions: set[int], today) -> dict:
    decision_ids = [d.pk for d in action.decisions.all()]
    latest = action.progress_entries.all()
    note = next((entry.note for entry in latest if entry.is_progress_note), "")
    return {
        "id": action.pk,
        "number": number,
        "title": action.title,
        "description": action.description,
        "leads": _owners(action, ActionOwner.Role.LEAD),
        "supports": _owners(action, ActionOwner.Role.SUPPORT),
        "due_date": iso(action.due_date),
        "deadline_kind": action.deadline_kind,
        "deadline_text": action.deadline_text,
        "deadline_is_estimate": action.deadline_is_estimate,
        "status": action.status,
        "progress": action.progress,
        "overdue": action.is_overdue_on(today),
        "latest_note": note,
        "decision_numbers": sorted(d.number for d in action.decisions.all()),
        # An action that serves a confidential decision would give that decision away.
        "confidential": any(pk in confidential_decisions for pk in decision_ids),
    }


def _actions_queryset():
    return ActionItem.objects.order_by("pk").prefetch_related(
        Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department")),
        Prefetch("decisions", queryset=Decision.objects.select_related("agenda_item")),
        Prefetch("progress_entries", queryset=ProgressEntry.objects.order_by("-created_at", "-pk")),
    )


def _previous_actions(meeting: Meeting, today) -> dict | None:
    """上次会议行动项落实情况: the previous meeting's action items, as they stand now."""
    previous = series.previous_meeting(meeting)
    if previous is None:
        return None
    actions = list(_actions_queryset().filter(meeting=previous))
    confidential = {d.pk for a in actions for d in a.decisions.all() if decision_is_confidential(d)}
    listed = [_action(a, n, confidential, today) for n, a in enumerate(actions, 1)]
    if previous.is_confidential and not meeting.is_confidential:
        # A 机密 meeting's items must not reach the wider readership of an ordinary one.
        for action in listed:
            action["confidential"] = True
    return {
        "meeting": {"id": previous.pk, "title": previous.title, "starts_at": iso(previous.starts_at)},
        "actions": listed,
    }


def build(meeting: Meeting, today: datetime.date, document: dict) -> dict:
    """This meeting's action items, numbered in order, and the previous meeting's. An item that serves
    a confidential decision of the `document` is confidential too."""
    confidential_decisions = {d["id"] for d in document["decisions"] if d["confidential"]}
    actions = _actions_queryset().filter(meeting=meeting)
    return {
        "actions": [_action(a, n, confidential_decisions, today) for n, a in enumerate(actions, 1)],
        "previous_actions": _previous_actions(meeting, today),
    }
