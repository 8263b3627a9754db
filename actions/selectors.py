import datetime

from django.db.models import Case, IntegerField, Prefetch, Value, When

from actions.models import ActionItem, ActionOwner, ProgressEntry, Status, local_today


def _with_row_data(queryset):
    return queryset.select_related("meeting").prefetch_related(
        Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department")),
        Prefetch("progress_entries", queryset=ProgressEntry.objects.order_by("-created_at", "-pk")),
    )


def my_open_actions(*, user, today: datetime.date | None = None):
    """我的行动项: open items the user answers for. Overdue first (oldest first), then by due date,
    items with no date last."""
    today = today or local_today()
    ids = ActionItem.objects.owned_by(user).open().values("pk")
    return _with_row_data(
        ActionItem.objects.filter(pk__in=ids)
        .annotate(
            overdue_rank=Case(
                When(due_date__lt=today, then=Value(0)),
                When(due_date__isnull=True, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("overdue_rank", "due_date", "pk")
    )


def my_recently_completed(*, user, days: int = 14, today: datetime.date | None = None):
    today = today or local_today()
    since = today - datetime.timedelta(days=days)
    ids = (
        ActionItem.objects.owned_by(user)
        .filter(status=Status.DONE, completed_at__date__gte=since)
        .values("pk")
    )
    return _with_row_data(ActionItem.objects.filter(pk__in=ids).order_by("-completed_at"))


def actions_due_on(day: datetime.date):
    """Open items due on a given day, with what the reminder needs."""
    return (
        ActionItem.objects.open()
        .filter(due_date=day)
        .select_related("meeting")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department__head"))
        )
    )


def action_for_detail(*, action_id: int):
    return (
        ActionItem.objects.filter(pk=action_id)
        .select_related("meeting__chair", "completed_by")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("user", "department__head")),
            Prefetch("progress_entries", queryset=ProgressEntry.objects.select_related("author")),
            "decisions",
        )
        .first()
    )
