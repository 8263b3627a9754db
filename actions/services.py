"""Writes to action items. Every change lands in the item's progress log."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import ActionItem, ActionOwner, DeadlineKind, Priority, ProgressEntry, Status
from meetings.models import Department, User


def progress_log(*, action: ActionItem, by, changes: dict | None = None, note: str = "") -> ProgressEntry:
    return ProgressEntry.objects.create(action=action, author=by, changes=changes or {}, note=note)


@transaction.atomic
def action_create(
    *,
    title: str,
    owners: Iterable[tuple[User | Department, str]],
    by,
    meeting=None,
    description: str = "",
    decisions: Iterable = (),
    due_date: datetime.date | None = None,
    deadline_kind: str = DeadlineKind.DATE,
    deadline_text: str = "",
    deadline_is_estimate: bool = False,
    priority: str = Priority.NORMAL,
) -> ActionItem:
    """Create an item with its owners. At least one owner must lead (牵头)."""
    owners = list(owners)
    if not any(role == ActionOwner.Role.LEAD for _owner, role in owners):
        raise ValidationError(_("至少需要一位牵头责任人。"), code="no_lead")
    action = ActionItem(
        title=title,
        description=description,
        meeting=meeting,
        due_date=due_date,
        deadline_kind=deadline_kind,
        deadline_text=deadline_text,
        deadline_is_estimate=deadline_is_estimate,
        priority=priority,
        created_by=by,
    )
    action.full_clean()
    action.save()
    seen = set()
    for owner, role in owners:
        key = (type(owner).__name__, owner.pk)
        if key in seen:
            continue
        seen.add(key)
        if isinstance(owner, Department):
            ActionOwner.objects.create(action=action, department=owner, role=role)
        else:
            ActionOwner.objects.create(action=action, user=owner, role=role)
    action.decisions.set(decisions)
    progress_log(action=action, by=by, changes={"status": [None, action.status]}, note=_("创建行动项"))
    return action


@transaction.atomic
def action_complete(*, action: ActionItem, by, note: str = "") -> ActionItem:
    """Mark an item done at 100 %, recording who and when. Completing a done item changes nothing."""
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    if action.status == Status.DONE:
        return action
    if action.status == Status.CANCELLED:
        raise ValidationError(_("已取消的行动项不能标记为完成。"), code="cancelled")
    changes = {"status": [action.status, Status.DONE]}
    if action.progress != 100:
        changes["progress"] = [action.progress, 100]
    action.status = Status.DONE
    action.progress = 100
    action.completed_at = timezone.now()
    action.completed_by = by
    action.save(update_fields=["status", "progress", "completed_at", "completed_by", "updated_at"])
    progress_log(action=action, by=by, changes=changes, note=note)
    return action
