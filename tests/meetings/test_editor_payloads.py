"""Malformed JSON to the editor's endpoints answers 400 with a message in the shape the page reads
(`error` for saves, owners and reorder; `errors` per field for the add forms), never a 500."""

import json

import pytest
from django.urls import reverse

from actions.models import ActionItem, ActionOwner
from meetings.models import AgendaItem, Meeting
from tests.factories import AgendaItemFactory, DecisionFactory, make_action

pytestmark = pytest.mark.django_db

BAD = "请求格式不正确,请刷新页面后重试。"
HUGE = 10**20  # beyond any database integer


def url(name, meeting, *args):
    namespace = "meeting_actions" if name == "editor_owners" else "meetings"  # actions/views/minutes.py
    return reverse(f"{namespace}:{name}", args=[meeting.pk, *args])


def post(client, path, body):
    raw = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(path, raw, content_type="application/json")


def add_action(client, meeting, **fields):
    body = {"title": "完成整改", "deadline_text": "两周内", "priority": "normal", **fields}
    return post(client, url("editor_add", meeting, "action"), body)


@pytest.mark.parametrize(
    "chip",
    [
        {"type": "u", "id": "abc", "role": "lead"},
        {"type": "u", "id": HUGE, "role": "lead"},
        {"type": "u", "id": 1e20, "role": "lead"},
        {"type": "d", "id": HUGE, "role": "lead"},
        {"type": "u", "id": "²", "role": "lead"},  # a digit to str.isdigit(), not to int()
        {"type": "u", "id": True, "role": "lead"},
        [1],
        "u:1",
    ],
    ids=["letters", "huge-int", "huge-float", "huge-department", "superscript", "bool", "list", "string"],
)
def test_new_action_with_a_malformed_owner_gets_a_message(client_for, chair, meeting, chip):
    response = add_action(client_for(chair), meeting, owners=[chip], decisions=[])
    assert response.status_code == 400
    assert response.json()["errors"]["owners"]
    assert not ActionItem.objects.filter(meeting=meeting).exists()


@pytest.mark.parametrize("owners", [{"type": "u"}, "abc", 5])
def test_new_action_whose_owners_are_not_a_list_gets_a_message(client_for, chair, meeting, owners):
    response = add_action(client_for(chair), meeting, owners=owners)
    assert response.status_code == 400
    assert response.json()["errors"]["owners"] == BAD


@pytest.mark.parametrize("decisions", [[HUGE], [1e20], [True], [[1]], "1", {"1": 1}])
def test_new_action_under_a_malformed_decision_gets_a_message(client_for, chair, owner, meeting, decisions):
    chip = {"type": "u", "id": str(owner.pk), "role": "lead"}
    response = add_action(client_for(chair), meeting, owners=[chip], decisions=decisions)
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == BAD
    assert not ActionItem.objects.filter(meeting=meeting).exists()


def test_new_action_with_good_owners_and_decision_still_works(client_for, chair, owner, meeting):
    decision = DecisionFactory(meeting=meeting)
    chip = {"type": "u", "id": str(owner.pk), "role": "lead", "label": owner.name}
    response = add_action(client_for(chair), meeting, owners=[chip], decisions=[str(decision.pk)])
    assert response.status_code == 200
    action = ActionItem.objects.get(meeting=meeting)
    assert list(action.decisions.all()) == [decision]


@pytest.mark.parametrize(
    "chip",
    [{"type": "u", "id": "abc"}, {"type": "u", "id": HUGE}, {"type": "d", "id": HUGE}, [1], None],
    ids=["letters", "huge-int", "huge-department", "list", "null"],
)
def test_changing_owners_with_a_malformed_owner_gets_a_message(client_for, chair, owner, meeting, chip):
    action = make_action(lead=owner, meeting=meeting)
    response = post(client_for(chair), url("editor_owners", meeting, action.pk), {"owners": [chip]})
    assert response.status_code == 400
    assert response.json()["error"]
    assert list(ActionOwner.objects.filter(action=action).values_list("user", flat=True)) == [owner.pk]


@pytest.mark.parametrize(
    "body",
    [b"[1, 2]", b'"text"', b"null", b"{", b"\xff\xfe{", b"[" * 100_000 + b"]" * 100_000],
    ids=["list", "string", "null", "truncated", "invalid-utf8", "deep-nesting"],
)
@pytest.mark.parametrize("endpoint", ["save", "owners", "reorder", "add-action", "add-agenda", "add-guest"])
def test_a_body_that_is_not_a_json_object_gets_a_message(client_for, chair, owner, meeting, body, endpoint):
    action = make_action(lead=owner, meeting=meeting)
    path = {
        "save": url("editor_save", meeting),
        "owners": url("editor_owners", meeting, action.pk),
        "reorder": url("editor_reorder", meeting),
        "add-action": url("editor_add", meeting, "action"),
        "add-agenda": url("editor_add", meeting, "agenda"),
        "add-guest": url("editor_add", meeting, "guest"),
    }[endpoint]
    response = post(client_for(chair), path, body)
    assert response.status_code == 400
    data = response.json()
    assert (data["errors"]["__all__"] if endpoint.startswith("add") else data["error"]) == BAD


@pytest.mark.parametrize(
    "changes",
    [
        {"pk": True},
        {"pk": HUGE},
        {"pk": -1},
        {"pk": 1.5},
        {"pk": [1]},
        {"value": 5},
        {"value": ["x"]},
        {"base": {"a": 1}},
        {"entity": ["meeting"]},
        {"force": "yes"},
    ],
)
def test_save_with_a_value_of_the_wrong_type_gets_a_message(client_for, chair, meeting, changes):
    body = {
        "entity": "meeting",
        "pk": str(meeting.pk),
        "field": "title",
        "base": meeting.title,
        "value": "新名称",
    }
    response = post(client_for(chair), url("editor_save", meeting), {**body, **changes})
    assert response.status_code in (400, 410)
    assert response.json()["error"]
    assert Meeting.objects.get(pk=meeting.pk).title == "市场部第12次周例会"


@pytest.mark.parametrize(
    ("field", "value"),
    [("chair", str(HUGE)), ("chair", "²"), ("recorder", "12345678901234567890123")],
)
def test_a_person_id_out_of_range_gets_a_message(client_for, chair, meeting, field, value):
    body = {"entity": "meeting", "pk": str(meeting.pk), "field": field, "base": str(chair.pk), "value": value}
    response = post(client_for(chair), url("editor_save", meeting), body)
    assert response.status_code == 400
    assert "所选人员已被删除或停用" in response.json()["error"]


def test_a_nul_character_gets_a_message_and_nothing_is_saved(client_for, chair, meeting):
    body = {"entity": "meeting", "pk": str(meeting.pk), "field": "summary", "base": "", "value": "总结\x00"}
    response = post(client_for(chair), url("editor_save", meeting), body)
    assert response.status_code == 400
    assert "空字符" in response.json()["error"]
    assert Meeting.objects.get(pk=meeting.pk).summary == ""


def test_a_nul_character_in_a_new_action_or_guest_is_named_under_its_field(client_for, chair, owner, meeting):
    client = client_for(chair)
    chip = {"type": "u", "id": str(owner.pk), "role": "lead"}
    response = add_action(client, meeting, title="整改\x00", owners=[chip])
    assert response.status_code == 400 and "空字符" in response.json()["errors"]["title"]
    response = post(client, url("editor_add", meeting, "guest"), {"guest_name": "李\x00"})
    assert response.status_code == 400 and "空字符" in response.json()["errors"]["guest_name"]


@pytest.mark.parametrize(
    "order",
    [[[True, 1]], [["x", 1]], [[HUGE, 1]], [[1, 1, 1]], [1], [[1, HUGE]], [[1, "1"]], {"1": 1}],
)
def test_reorder_with_a_malformed_order_gets_a_message(client_for, chair, meeting, order):
    item = AgendaItemFactory(meeting=meeting, order=1)
    response = post(client_for(chair), url("editor_reorder", meeting), {"order": order})
    assert response.status_code == 400
    assert response.json()["error"] == BAD
    assert AgendaItem.objects.get(pk=item.pk).order == 1


def test_unknown_kinds_answer_404(client_for, chair, meeting):
    client = client_for(chair)
    assert post(client, url("editor_add", meeting, "nonsense"), {}).status_code == 404
    assert post(client, url("editor_delete", meeting, "decision", 1), {}).status_code == 404


@pytest.mark.parametrize("after", ["²", str(HUGE), "-1", "1.5", "\x00"])
def test_news_with_a_malformed_id_answers(client_for, chair, meeting, after):
    AgendaItemFactory(meeting=meeting)
    response = client_for(chair).get(url("editor_news", meeting), {"agenda": after})
    assert response.status_code == 200
