"""What action items add to a meeting, through the seams in meetings.hooks (registered in
ActionsConfig.ready()): who may see a meeting because they own one of its items, the items the meeting
page loads with it, their progress log in the meeting's history, their part of the published minutes
(actions.document), the sections of the meeting page and the editor (actions.views.meeting), and the
deadlines a new meeting of the series dates ("下次例会前")."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import pgettext_lazy

from actions import document, services
from actions.models import ActionItem, ActionOwner, ProgressEntry, Status
from actions.views import meeting as meeting_views
from meetings import hooks, policy
from meetings.history import TARGET_LABELS, HistoryLine


def meeting_viewers(user) -> Q:
    """Owners of a meeting's action items (and the heads of owning departments) may see it."""
    owns = ActionOwner.objects.filter(action__meeting=OuterRef("pk")).filter(
        Q(user=user) | Q(department__head=user)
    )
    return Q(Exists(owns))


def meeting_page_prefetches(full: bool) -> list[Prefetch]:
    """The meeting's action items as its page shows them: only those the reader may see."""
    return [
        Prefetch(
            "action_items",
            queryset=policy.visible_action_items(
                ActionItem.objects.order_by("pk"), full=full
            ).prefetch_related(
                Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department")),
                "decisions",
            ),
        )
    ]


def history_lines(meeting, full: bool, limit: int) -> list[HistoryLine]:
    """The newest `limit` progress entries of the meeting's items the reader may see."""
    actions = policy.visible_action_items(meeting.action_items.all(), full=full)
    progress = (
        ProgressEntry.objects.filter(action__in=actions)
        .select_related("author")
        .prefetch_related(Prefetch("action"))
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        HistoryLine(
            at=p.created_at,
            actor=p.author,
            verb_label=pgettext_lazy("history", "更新"),
            target_label=TARGET_LABELS["action"],
            subject=p.action.title,
            changes=p.changes,
            note=p.note,
        )
        for p in progress
    ]


def date_event_deadlines(sender, *, meeting, **kwargs) -> None:
    services.event_deadlines_resolve(meeting=meeting)


def register() -> None:
    hooks.add(hooks.page_sections, meeting_views.page_section)
    hooks.add(hooks.editor_sections, meeting_views.editor_section)
    hooks.add(hooks.viewers, meeting_viewers)
    hooks.add(hooks.detail_prefetches, meeting_page_prefetches)
    hooks.add(hooks.history_sources, history_lines)
    hooks.add(hooks.history_choices.setdefault("status", []), Status)
    hooks.add(hooks.snapshot_parts, document.build)
    hooks.meeting_created.connect(date_event_deadlines, dispatch_uid="actions.date_event_deadlines")
