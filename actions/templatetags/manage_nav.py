"""The managers' links in the navigation bar: 部门行动项 for department heads, 全部行动项 for staff."""

from django import template

from actions.policy import can_view_all_actions
from meetings.models import Department

register = template.Library()


def managed_departments(request) -> set[int]:
    """Department.managed_by(user), once per request: the nav bar and the managers' views share it."""
    if not hasattr(request, "_managed_departments"):
        request._managed_departments = Department.managed_by(request.user)
    return request._managed_departments


@register.simple_tag(takes_context=True)
def manage_nav(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"department": False, "all": False}
    if hasattr(request, "_managed_departments"):
        heads = bool(request._managed_departments)
    else:
        # The nav is on every page; one EXISTS is all it needs. managed_by(user) is non-empty exactly
        # when the user heads a department, and it reads the whole tree.
        heads = Department.objects.filter(head=user).exists()
    return {"department": heads, "all": can_view_all_actions(user)}
