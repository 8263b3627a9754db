"""The managers' links in the navigation bar: 部门行动项 for department heads, 全部行动项 for staff."""

from django import template

from actions.policy import can_view_all_actions
from meetings.models import Department
from meetings.policy import managed_departments as policy_managed_departments

register = template.Library()


def managed_departments(request) -> set[int]:
    """Department.managed_by(user), once per request: the meeting policy keeps it on the request's
    user, and the nav bar and the managers' views share it."""
    return policy_managed_departments(request.user)


@register.simple_tag(takes_context=True)
def manage_nav(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"department": False, "all": False}
    known = getattr(user, "_managed_departments", None)  # set by meetings.policy.managed_departments
    if known is not None:
        heads = bool(known)
    else:
        # The nav is on every page; one EXISTS is all it needs. managed_by(user) is non-empty exactly
        # when the user heads a department, and it reads the whole tree.
        heads = Department.objects.filter(head=user).exists()
    return {"department": heads, "all": can_view_all_actions(user)}
