"""Every endpoint of 我的行动项 and the item page, for every role, against actions.policy.ActionAccess.

The expected rights are written out here by hand (ROLE_RIGHTS), so a change to the policy that gives or
takes away a right fails here until someone decides it was meant. For each case the test checks both
that ActionAccess answers as expected and that the endpoint does: anonymous → login, may not see → 404,
may see but not act → 403, allowed → success, and that a refused request changes nothing.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import ActionItem, DeadlineChange, Occurrence, ProgressEntry
from actions.policy import access
from meetings.models import Meeting
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

VIEW, UPDATE, COMPLETE, EDIT, DECIDE = "view", "update", "complete", "edit", "decide"
ALL = frozenset({VIEW, UPDATE, COMPLETE, EDIT, DECIDE})

# role → (who, meeting is confidential, meeting is published, rights)
ROLES = {
    "anonymous": (None, False, False, frozenset()),
    "outsider_open_meeting": ("outsider", False, False, frozenset({VIEW})),
    "outsider_confidential_meeting": ("outsider", True, False, frozenset()),
    "support_owner": ("support", True, False, frozenset({VIEW, UPDATE})),
    "lead_owner": ("lead", True, False, frozenset({VIEW, UPDATE, COMPLETE})),
    "chair": ("chair", True, False, ALL),
    "recorder_before_publication": ("recorder", True, False, frozenset({VIEW, UPDATE, COMPLETE, EDIT})),
    "recorder_after_publication": ("recorder", False, True, frozenset({VIEW})),
    "head_of_leads_department": ("head", True, False, ALL),
    "staff": ("staff", True, False, ALL),
}

# ActionAccess property for each right.
POLICY = {
    VIEW: "can_view",
    UPDATE: "can_update_progress",
    COMPLETE: "can_complete",
    EDIT: "can_edit",
    DECIDE: "can_decide_deadline",
}


def _later(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# endpoint → (method, url for the scenario, POST data, right needed)
ENDPOINTS = {
    "detail": ("get", lambda s: reverse("actions:detail", args=[s.item.pk]), None, VIEW),
    "attachment": ("get", lambda s: reverse("actions:attachment", args=[s.entry.pk]), None, VIEW),
    "panel": ("get", lambda s: reverse("actions:panel", args=[s.item.pk, "progress"]), None, UPDATE),
    "complete": (
        "post",
        lambda s: reverse("actions:complete", args=[s.item.pk]),
        {"note": "已完成"},
        COMPLETE,
    ),
    "progress": ("post", lambda s: reverse("actions:progress", args=[s.item.pk]), {"progress": "50"}, UPDATE),
    "note": ("post", lambda s: reverse("actions:note", args=[s.item.pk]), {"note": "已联系供应商"}, UPDATE),
    "deadline": (
        "post",
        lambda s: reverse("actions:deadline", args=[s.item.pk]),
        {"new_due_date": _later(30), "reason": "供应商延期交货"},
        UPDATE,
    ),
    "occurrence_deliver": (
        "post",
        lambda s: reverse("actions:occurrence_deliver", args=[s.occurrence.pk]),
        {},
        UPDATE,
    ),
    "status": (
        "post",
        lambda s: reverse("actions:status", args=[s.item.pk]),
        {"status": "on_hold", "reason": "等待预算批复"},
        EDIT,
    ),
    "owners": (
        "post",
        lambda s: reverse("actions:owners", args=[s.item.pk]),
        lambda s: {"lead_users": [s.users["head"].pk], "reason": "改由部门负责人牵头"},
        EDIT,
    ),
    "deadline_decide": (
        "post",
        lambda s: reverse("actions:deadline_decide", args=[s.pending.pk]),
        {"decision": "approve"},
        DECIDE,
    ),
}


class Scenario:
    """Two items with the same people: `item` for most endpoints, `requested` with a pending request."""

    def __init__(self, *, confidential: bool, published: bool):
        marketing = DepartmentFactory(name="市场部")
        engineering = DepartmentFactory(name="研发一部")
        office = DepartmentFactory(name="总经办")
        self.users = {
            "lead": UserFactory(name="王芳", department=marketing),
            "support": UserFactory(name="李明", department=engineering),
            "head": UserFactory(name="张伟", department=marketing),
            "chair": UserFactory(name="刘总", department=office),
            "recorder": UserFactory(name="陈静", department=office),
            "outsider": UserFactory(name="赵磊", department=engineering),
            "staff": UserFactory(name="管理员", is_staff=True),
        }
        marketing.head = self.users["head"]
        marketing.save()
        meeting = MeetingFactory(
            chair=self.users["chair"],
            recorder=self.users["recorder"],
            is_confidential=confidential,
            status=Meeting.Status.PUBLISHED if published else Meeting.Status.DRAFT,
        )
        lead, support = self.users["lead"], self.users["support"]
        self.item = make_action(lead=lead, supports=[support], meeting=meeting, title="提交渠道优化方案")
        self.requested = make_action(lead=lead, supports=[support], meeting=meeting, title="策划行业直播")
        self.pending = services.deadline_change_request(
            action=self.requested,
            by=lead,
            new_due_date=timezone.localdate() + datetime.timedelta(days=40),
            reason="场地未定",
            approved=False,
        )
        self.occurrence = Occurrence.objects.create(action=self.item, due_date=timezone.localdate())
        self.entry = services.action_add_note(
            action=self.item, by=lead, note="初稿", attachment=SimpleUploadedFile("初稿.txt", b"draft")
        )

    def snapshot(self):
        """What a refused request must leave untouched."""
        return (
            ProgressEntry.objects.count(),
            list(ActionItem.objects.order_by("pk").values_list("status", "progress", "due_date")),
            list(DeadlineChange.objects.order_by("pk").values_list("state", "new_due_date")),
            list(Occurrence.objects.order_by("pk").values_list("delivered_at", flat=True)),
        )


@pytest.fixture
def scenario_for(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def build(role):
        _who, confidential, published, _rights = ROLES[role]
        return Scenario(confidential=confidential, published=published)

    return build


@pytest.mark.parametrize("role", ROLES)
def test_action_access_gives_each_role_exactly_its_rights(scenario_for, role):
    scenario = scenario_for(role)
    who, _confidential, _published, rights = ROLES[role]
    if who is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    else:
        user = scenario.users[who]
    item_access = access(user, ActionItem.objects.prefetch_related("owners__user").get(pk=scenario.item.pk))
    granted = {right for right, prop in POLICY.items() if getattr(item_access, prop)}
    assert granted == set(rights)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_endpoint_answers_each_role_as_the_policy_says(client, scenario_for, role, endpoint):
    scenario = scenario_for(role)
    who, _confidential, _published, rights = ROLES[role]
    method, url_for, data, needed = ENDPOINTS[endpoint]
    if who is not None:
        client.force_login(scenario.users[who])
    url = url_for(scenario)
    data = data(scenario) if callable(data) else data
    before = scenario.snapshot()

    response = client.get(url) if method == "get" else client.post(url, data)

    if who is None:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif VIEW not in rights:
        assert response.status_code == 404
    elif needed not in rights:
        assert response.status_code == 403
        assert "您没有权限进行这项操作" in response.text
    elif method == "get":
        assert response.status_code == 200
        return
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        return
    assert scenario.snapshot() == before


def test_every_items_route_is_in_the_matrix():
    from actions import urls

    routes = {p.name for p in urls.urlpatterns if p.callback.__module__.startswith("actions.views.item")}
    assert routes - {"my"} == set(ENDPOINTS)


@pytest.mark.django_db
def test_my_actions_needs_a_login_and_nothing_else(client, outsider):
    url = reverse("actions:my")
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(url).status_code == 200
