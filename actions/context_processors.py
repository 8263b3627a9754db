from django.utils.functional import SimpleLazyObject

from actions.notifications import unread_count


def notifications(request):
    """`unread_notifications` for the bell in the navigation bar: one COUNT on a partial index, run
    only when the page renders the bar (not for htmx fragments or downloads)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
