"""Fuzzing the minutes editor's JSON endpoints as the meeting's recorder: whatever is posted, the answer
is never a server error (status < 500). Each example runs in a savepoint that is rolled back."""

import json
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.models import ActionOwner
from meetings import editor_blocks
from meetings.models import Attendance, SpeakerReport
from tests.factories import AgendaItemFactory, DecisionFactory, MeetingFactory, make_action
from tests.fuzz.strategies import FUZZ, JSON, RAW_BODIES, SPECIAL, TEXT, object_with, rolled_back

pytestmark = pytest.mark.django_db

# Every endpoint of the editor (meetings/urls.py, and the ones about action items in actions/urls.py),
# with the names its body or query uses.
ENDPOINTS = {
    "editor_save": ["entity", "pk", "field", "base", "value", "force"],
    "editor_add:agenda": ["title", "presenter", "planned_minutes", "day", "is_confidential"],
    "editor_add:report": ["agenda_item", "speaker_any", "speaker", "speaker_name", "content"],
    "editor_add:decision": ["agenda_item", "problem", "discussion", "text", "is_confidential"],
    "editor_add:action": ["title", "owners", "deadline_text", "due_date", "priority", "decisions"],
    "editor_add:guest": ["user", "guest_name", "guest_organisation"],
    "editor_add:nonsense": ["title"],
    "editor_owners": ["owners"],
    "editor_reorder": ["order"],
    "editor_delete:agenda": [],
    "editor_delete:report": [],
    "editor_delete:decision": [],
    "editor_deadline": ["text"],
    "editor_news": ["agenda", "report", "decision", "action", "attendance"],
    "editor_directory": [],
    "editor_token": [],
    "editor": [],
    "editor_relogin": [],
}


ACTION_ENDPOINTS = {"editor_owners", "editor_deadline"}  # actions/views/minutes.py


class Scenario:
    """A meeting with one row of every kind the editor edits, and a row of another meeting."""

    def __init__(self, chair, owner, department, meeting):
        self.chair, self.owner, self.department, self.meeting = chair, owner, department, meeting
        self.item = AgendaItemFactory(meeting=meeting, order=1)
        self.second_item = AgendaItemFactory(meeting=meeting, order=2, day=2)
        self.report = SpeakerReport.objects.create(agenda_item=self.item, speaker=owner, content="汇报")
        self.decision = DecisionFactory(meeting=meeting, agenda_item=self.item)
        self.action = make_action(lead=owner, meeting=meeting, deadline_text="两周内")
        self.action.decisions.add(self.decision)
        self.attendance = Attendance.objects.create(meeting=meeting, user=owner)
        other = MeetingFactory()
        self.foreign = {
            "agenda": AgendaItemFactory(meeting=other).pk,
            "decision": DecisionFactory(meeting=other).pk,
            "action": make_action(lead=owner, meeting=other).pk,
        }
        self.ids = {
            "meeting": [meeting.pk, other.pk],
            "agenda": [self.item.pk, self.second_item.pk, self.foreign["agenda"]],
            "report": [self.report.pk],
            "decision": [self.decision.pk, self.foreign["decision"]],
            "attendance": [self.attendance.pk],
            "action": [self.action.pk, self.foreign["action"]],
            "user": [owner.pk, chair.pk],
            "department": [department.pk],
        }

    def url(self, endpoint: str, pk=None) -> str:
        name, _sep, kind = endpoint.partition(":")
        args = [self.meeting.pk]
        if name == "editor_owners":
            args.append(self.action.pk if pk is None else pk)
        if name in ("editor_add", "editor_delete"):
            args.append(kind)
        if name == "editor_delete":
            args.append((self.item.pk if kind == "agenda" else self.report.pk) if pk is None else pk)
        namespace = "meeting_actions" if name in ACTION_ENDPOINTS else "meetings"
        return reverse(f"{namespace}:{name}", args=args)

    def any_id(self, kinds=None):
        real = [pk for kind, pks in self.ids.items() if kinds is None or kind in kinds for pk in pks]
        return st.sampled_from(real) | st.sampled_from(real).map(str) | JSON


@pytest.fixture
def scene(chair, owner, department, meeting):
    return Scenario(chair, owner, department, meeting)


@pytest.fixture
def recorder(client, scene):
    client.force_login(scene.chair)
    return client


def post(client, path, body) -> int:
    raw = body if isinstance(body, bytes) else json.dumps(body)
    with rolled_back():
        response = client.post(path, raw, content_type="application/json")
    return response.status_code


def get(client, path, params) -> int:
    with rolled_back():
        return client.get(path, params).status_code


def test_the_table_names_every_editor_endpoint():
    from actions import urls_meetings as action_urls
    from meetings import urls

    editor_names = {p.name for p in urls.urlpatterns if p.name.startswith("editor")}
    editor_names |= {p.name for p in action_urls.urlpatterns if p.name.startswith("editor")}
    assert editor_names == {e.partition(":")[0] for e in ENDPOINTS}
    assert ACTION_ENDPOINTS == {p.name for p in action_urls.urlpatterns if p.name.startswith("editor")}


# --- any JSON, any bytes, to every endpoint


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@settings(FUZZ, max_examples=40)
@given(body=JSON)
def test_any_json_to_any_endpoint(recorder, scene, endpoint, body):
    assert post(recorder, scene.url(endpoint), body) < 500


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@settings(FUZZ, max_examples=25)
@given(body=RAW_BODIES)
def test_any_bytes_to_any_endpoint(recorder, scene, endpoint, body):
    assert post(recorder, scene.url(endpoint), body) < 500


@pytest.mark.parametrize("endpoint", [e for e, keys in ENDPOINTS.items() if keys])
@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_objects_with_the_endpoints_own_keys(recorder, scene, endpoint, data):
    body = data.draw(object_with(ENDPOINTS[endpoint], JSON | TEXT))
    assert post(recorder, scene.url(endpoint), body) < 500


# --- a valid envelope with fuzzed values, to reach the parsers and the services


ENTITY_FIELDS = sorted((kind.name, field.name) for kind in editor_blocks.kinds() for field in kind.fields)


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_save_field_with_fuzzed_values(recorder, scene, data):
    entity, name = data.draw(st.sampled_from(ENTITY_FIELDS) | st.tuples(TEXT, TEXT))
    pk = data.draw(st.sampled_from(scene.ids.get(entity, [1])).map(str) | scene.any_id())
    references = [str(pk) for pks in scene.ids.values() for pk in pks]
    value = data.draw(TEXT | st.sampled_from(references) | st.sampled_from(references).map("u:{}".format))
    base = data.draw(st.sampled_from(["", value]) | TEXT)
    body = {"entity": entity, "pk": pk, "field": name, "base": base, "value": value}
    body["force"] = data.draw(st.booleans() | JSON)
    assert post(recorder, scene.url("editor_save"), body) < 500


def chips(scene):
    chip = st.fixed_dictionaries(
        {"type": st.sampled_from(["u", "d"]) | JSON, "id": scene.any_id(["user", "department"])},
        optional={"role": st.sampled_from(["lead", "support"]) | JSON, "label": TEXT | JSON},
    )
    return st.lists(chip | JSON, max_size=4) | JSON


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_add_action_with_fuzzed_values(recorder, scene, data):
    body = {
        "title": data.draw(TEXT | JSON),
        "owners": data.draw(chips(scene)),
        "deadline_text": data.draw(TEXT),
        "due_date": data.draw(TEXT),
        "priority": data.draw(st.sampled_from(["high", "normal", "low"]) | TEXT),
        "decisions": data.draw(st.lists(scene.any_id(["decision"]), max_size=3) | JSON),
    }
    assert post(recorder, scene.url("editor_add:action"), body) < 500


JSON_IN_FORMS = st.none() | st.integers() | st.lists(st.text(max_size=3), max_size=2)
FORM_KINDS = {
    "agenda": {
        "title": TEXT,
        "presenter": None,
        "planned_minutes": TEXT,
        "day": TEXT,
        "is_confidential": TEXT,
    },
    "report": {"agenda_item": "agenda", "speaker_any": TEXT, "content": TEXT},
    "decision": {
        "agenda_item": "agenda",
        "problem": TEXT,
        "discussion": TEXT,
        "text": TEXT,
        "is_confidential": TEXT,
    },
    "guest": {"user": None, "guest_name": TEXT, "guest_organisation": TEXT},
}


@pytest.mark.parametrize("kind", list(FORM_KINDS))
@settings(FUZZ, max_examples=80)
@given(data=st.data())
def test_add_block_with_fuzzed_form_values(recorder, scene, kind, data):
    body = {}
    for name, values in FORM_KINDS[kind].items():
        if values is None:  # a person
            values = st.sampled_from(scene.ids["user"]).map(str) | TEXT
        elif values == "agenda":
            values = st.sampled_from(scene.ids["agenda"]).map(str) | TEXT
        if kind == "report" and name == "speaker_any":
            values = st.sampled_from(scene.ids["user"]).map("u:{}".format) | values
        if data.draw(st.booleans()):
            body[name] = data.draw(values | JSON_IN_FORMS)
    assert post(recorder, scene.url(f"editor_add:{kind}"), body) < 500


@settings(FUZZ, max_examples=70)
@given(data=st.data())
def test_owners_and_reorder_with_fuzzed_values(recorder, scene, data):
    action_id = data.draw(st.sampled_from(scene.ids["action"]) | st.integers(0, 10**25))
    assert post(recorder, scene.url("editor_owners", action_id), {"owners": data.draw(chips(scene))}) < 500
    pair = st.tuples(scene.any_id(["agenda"]), st.integers(-5, 40) | JSON).map(list)
    order = data.draw(st.lists(pair | JSON, max_size=4) | JSON)
    assert post(recorder, scene.url("editor_reorder"), {"order": order}) < 500


@settings(FUZZ, max_examples=60)
@given(
    kind=st.sampled_from(["agenda", "report", "decision", "action"]) | st.text(min_size=1, max_size=10),
    pk=st.integers(0, 10**25),
)
def test_delete_with_fuzzed_kind_and_id(recorder, scene, kind, pk):
    path = reverse("meetings:editor_delete", args=[scene.meeting.pk, "KIND", pk]).replace(
        "KIND", quote(kind, safe="")
    )
    assert post(recorder, path, {}) < 500


@pytest.mark.parametrize(
    "endpoint", ["editor_deadline", "editor_news", "editor_directory", "editor_token", "editor"]
)
@settings(FUZZ, max_examples=50)
@given(
    params=st.dictionaries(
        st.sampled_from(["text", "agenda", "report", "decision", "action", "attendance"])
        | st.text(max_size=5),
        TEXT | SPECIAL,
        max_size=4,
    )
)
def test_get_endpoints_with_fuzzed_query(recorder, scene, endpoint, params):
    assert get(recorder, scene.url(endpoint), params) < 500


def test_the_scenario_reaches_the_services(recorder, scene):
    """The fuzz is only worth something if valid input works: a save, an action with owners."""
    body = {
        "entity": "action",
        "pk": str(scene.action.pk),
        "field": "title",
        "base": scene.action.title,
        "value": "改过的事项",
    }
    assert post(recorder, scene.url("editor_save"), body) == 200
    chip = {"type": "u", "id": str(scene.owner.pk), "role": "lead"}
    body = {
        "title": "新事项",
        "owners": [chip],
        "deadline_text": "两周内",
        "decisions": [str(scene.decision.pk)],
    }
    assert post(recorder, scene.url("editor_add:action"), body) == 200
    assert ActionOwner.objects.filter(action__meeting=scene.meeting).count() == 1  # rolled back
