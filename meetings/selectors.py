from django.db.models import Count, Prefetch

from meetings.models import AgendaItem, Meeting, SpeakerReport
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
    """One meeting with everything its page shows, or None when it does not exist or is hidden."""
    from actions.models import ActionItem, ActionOwner

    visible_ids = Meeting.objects.filter(visibility_q(user), pk=meeting_id).values("pk")
    return (
        Meeting.objects.filter(pk__in=visible_ids)
        .with_people()
        .prefetch_related(
            Prefetch("attendances__user"),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("presenter").prefetch_related(
                    Prefetch("reports", queryset=SpeakerReport.objects.select_related("speaker"))
                ),
            ),
            "decisions__agenda_item",
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.order_by("pk").prefetch_related(
                    Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department")),
                    "decisions",
                ),
            ),
        )
        .first()
    )
