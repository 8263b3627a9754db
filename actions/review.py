"""上次会议行动项回顾, the carry-over review: the open action items of a series' earlier meetings, shown
on the meeting page and in the editor, and updated there row by row. Each change goes through
actions.services like any other update, and asks the item's own policy first."""

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from actions import policy, services
from actions.models import ActionItem, ActionOwner, ProgressEntry, Status
from meetings import policy as meetings_policy
from meetings import series
from meetings.lifecycle import ensure_editable
from meetings.models import Decision, Meeting


def review_actions(meeting: Meeting):
    """上次会议行动项回顾: every action item of earlier meetings of this series that is still open (not
    done, not cancelled), plus those closed since the previous meeting ended. Items of other series and
    of this meeting itself are never included."""
    if meeting.series_id is None:
        return ActionItem.objects.none()
    earlier = ActionItem.objects.filter(meeting__series_id=meeting.series_id).filter(
        Q(meeting__starts_at__lt=meeting.starts_at)
        | Q(meeting__starts_at=meeting.starts_at, meeting__pk__lt=meeting.pk)
    )
    keep = ~Q(status__in=(Status.DONE, Status.CANCELLED))
    previous = series.previous_meeting(meeting)
    if previous is not None:
        # Items closed during the previous meeting were reviewed there; "since" is when it ended.
        since = previous.ends_at or previous.starts_at
        keep |= Q(status=Status.DONE, completed_at__gte=since) | Q(
            status=Status.CANCELLED, updated_at__gte=since
        )
    return earlier.filter(keep)


def review_rows(meeting: Meeting, *, full: bool, user=None, only: int | None = None):
    """The review's items with what each row shows: owners, meeting, latest note, decisions. Five
    queries, and one or two more for `user` (the meetings they may see, and see whole).

    With `user`, only the items that user may see are kept (actions.policy: an item of an earlier
    meeting the user may not open is not theirs to read here either), and each row carries
    `review_access` and `review_statuses`, the status changes that user may make on it.
    `only` fetches one row by its ID (after an update in the review, the item stays on screen even if
    the update took it out of the selection)."""
    if only is not None:
        ids = [only]
    else:
        ids = meetings_policy.visible_action_items(review_actions(meeting), full=full).values("pk")
    rows = list(
        ActionItem.objects.filter(pk__in=ids)
        .select_related("meeting")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department")),
            Prefetch(
                "progress_entries",
                queryset=ProgressEntry.objects.order_by("-created_at", "-pk"),
                to_attr="log",
            ),
            Prefetch("decisions", queryset=Decision.objects.select_related("agenda_item")),
        )
        .order_by("meeting__starts_at", "pk")
    )
    # Published minutes show each item as it stood when they were published; drafts show it live.
    cutoff = meeting.published_at if meeting.status == Meeting.Status.PUBLISHED else None
    for row in rows:
        _state_at(row, cutoff)
    if user is not None:
        accesses = policy.accesses(user, rows)
        rows = [row for row in rows if accesses[row.pk].can_view]
        for row in rows:
            row.review_access = item_access = accesses[row.pk]
            row.review_statuses = [
                (code, label)
                for code, label in Status.choices
                if code == row.status or policy.allows(item_access, policy.right_for_status(code))
            ]
    return rows


def _state_at(row, cutoff) -> None:
    """Set row.shown_status / shown_progress / shown_note: the item's state at `cutoff` (None: now),
    replayed from its progress log (newest first), whose changes hold [before, after]."""
    entries = [e for e in row.log if cutoff is None or e.created_at <= cutoff]
    row.shown_note = next((e for e in entries if e.is_progress_note), None)
    if cutoff is None:
        row.shown_status, row.shown_progress = row.status, row.progress
    else:
        status = next((e.changes["status"][1] for e in entries if e.changes.get("status")), row.status)
        progress = next((e.changes["progress"][1] for e in entries if e.changes.get("progress")), 0)
        row.shown_status, row.shown_progress = status, progress
    row.shown_status_label = Status(row.shown_status).label if row.shown_status in Status.values else ""


@transaction.atomic
def review_item_update(*, meeting: Meeting, action, by, status: str, progress: int | None, note: str = ""):
    """An update made during the carry-over review. Each change goes through actions.services, so it
    lands in the item's progress log like any other update."""
    ensure_editable(meeting)
    note = note.strip()
    # Editing this meeting is not a right over items of earlier meetings: each change asks the item's
    # own policy, with the right that change needs, before anything is written.
    item_access = policy.access(by, action)
    if status and status != action.status:
        policy.require(item_access, policy.right_for_status(status))
    if note or (progress is not None and progress != action.progress):
        policy.require(item_access, policy.UPDATE)
    if status == Status.DONE and action.status != Status.DONE:
        return services.action_complete(action=action, by=by, note=note or _("例会回顾中确认完成"))
    note_used = False
    if progress is not None and progress != action.progress:
        # Progress first: it also moves a 未开始 item to 进行中, with the note in the same log line.
        action = services.action_update_progress(action=action, by=by, progress=progress, note=note)
        note_used = True
    if status and status != action.status:
        # Putting on hold or cancelling needs the reason even when the note went with the progress.
        needs_reason = status in (Status.ON_HOLD, Status.CANCELLED)
        reason = note if (needs_reason or not note_used) else ""
        action = services.action_set_status(action=action, by=by, status=status, reason=reason)
        note_used = True
    if note and not note_used:
        services.action_add_note(action=action, by=by, note=note)
    action.refresh_from_db()
    return action
