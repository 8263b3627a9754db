from django.db.models import Count, Prefetch, prefetch_related_objects

from meetings import hooks, policy
from meetings.models import AgendaItem, Decision, Meeting, MeetingLogEntry, SpeakerReport
from meetings.policy import visibility_q


def meetings_for_list(*, user):
    """The meeting list: what the user may see, newest first, with counts for the table."""
    visible_ids = Meeting.objects.filter(visibility_q(user)).values("pk")
    return (
        Meeting.objects.filter(pk__in=visible_ids)
        .with_people()
        .annotate(
            decision_count=Count("decisions", distinct=True),
            action_count=Count("action_items", distinct=True),
        )
        .order_by("-starts_at", "-pk")
    )


def meeting_for_detail(*, meeting_id: int, user) -> Meeting | None:
    """One meeting with everything its page shows, or None when it does not exist or is hidden.

    Confidential agenda items, decisions and the action items serving them are left out of the
    prefetched rows for users without full access (policy.can_see_confidential), so no template can
    show them by accident. `meeting.access` carries the user's roles for the page."""
    visible_ids = Meeting.objects.filter(visibility_q(user), pk=meeting_id).values("pk")
    meeting = Meeting.objects.filter(pk__in=visible_ids).with_people().first()
    if meeting is None:
        return None
    # Attendance first: the policy reads it to decide what else the user may see.
    prefetch_related_objects([meeting], Prefetch("attendances__user"))
    meeting.access = policy.access(user, meeting)
    full = meeting.access.can_see_confidential
    prefetch_related_objects(
        [meeting],
        Prefetch(
            "agenda_items",
            queryset=policy.visible_agenda_items(AgendaItem.objects, full=full)
            .select_related("presenter")
            .prefetch_related(Prefetch("reports", queryset=SpeakerReport.objects.select_related("speaker"))),
        ),
        Prefetch(
            "decisions",
            queryset=policy.visible_decisions(Decision.objects, full=full).select_related("agenda_item"),
        ),
        *(prefetch for prefetches in hooks.detail_prefetches for prefetch in prefetches(full)),
    )
    return meeting


def revision_reason(meeting: Meeting) -> MeetingLogEntry | None:
    """Why the minutes are open for changes again: the latest 退回修改 comment or 重新打开 reason, as long
    as they have not been published since. None while published, or when nothing sent them back."""
    if meeting.status == Meeting.Status.PUBLISHED:
        return None
    Verb = MeetingLogEntry.Verb
    latest = (
        meeting.log_entries.filter(verb__in=(Verb.RETURNED, Verb.REOPENED, Verb.PUBLISHED))
        .select_related("actor")
        .first()
    )
    return latest if latest is not None and latest.verb != Verb.PUBLISHED else None
