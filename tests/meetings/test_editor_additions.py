"""New blocks from the editor's "add" forms carry a key the browser made before the first attempt. The
same key again answers with the block it created (a retry after a lost answer), never a second copy;
someone else's key, a key used for another kind, a malformed key and a deleted block each get a clear
answer. Every kind the view accepts is covered: the kinds are read from the editor's registry
(meetings/editor_blocks.py), not listed here."""

import json
import uuid
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import ActionItem
from meetings import editor_blocks
from meetings.models import AgendaItem, Attendance, Decision, EditorAddition, SpeakerReport
from meetings.views import editor as editor_views
from tests.factories import AgendaItemFactory, DecisionFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder(department):
    return UserFactory(username="chenjing", name="陈静", job_title="市场助理", department=department)


@pytest.fixture
def minutes(chair, recorder, department):
    """A meeting two people may edit: the chair and the recorder."""
    meeting = MeetingFactory(
        title="市场部第13次周例会", chair=chair, recorder=recorder, department=department
    )
    item = AgendaItemFactory(meeting=meeting, title="渠道推广进展")
    decision = DecisionFactory(meeting=meeting, agenda_item=item, number=1)
    return {"meeting": meeting, "item": item, "decision": decision}


def _form(minutes, owner):
    """A valid body for each kind of block, by the name in the URL."""
    item, decision = minutes["item"], minutes["decision"]
    return {
        "agenda": {"title": "预算调整", "planned_minutes": "15", "day": "1"},
        "report": {"agenda_item": str(item.pk), "speaker_any": "t:外部顾问", "content": "- 线索增加 120 条"},
        "decision": {"agenda_item": str(item.pk), "problem": "预算不足", "text": "追加预算 5 万元"},
        "action": {
            "title": "提交投放方案",
            "owners": [{"type": "u", "id": str(owner.pk), "role": "lead", "label": owner.name}],
            "deadline_text": "两周内",
            "due_date": "",
            "priority": "normal",
            "decisions": [str(decision.pk)],
        },
        "guest": {"guest_name": "刘教授", "guest_organisation": "特邀行业专家"},
    }


BLOCKS = {
    "agenda": lambda m: AgendaItem.objects.filter(meeting=m),
    "report": lambda m: SpeakerReport.objects.filter(agenda_item__meeting=m),
    "decision": lambda m: Decision.objects.filter(meeting=m),
    "action": lambda m: ActionItem.objects.filter(meeting=m),
    "guest": lambda m: Attendance.objects.filter(meeting=m),
}
KINDS = sorted(editor_blocks.add_kinds())


def test_every_kind_the_view_accepts_is_covered(minutes, owner):
    assert set(_form(minutes, owner)) == set(editor_blocks.add_kinds()) == set(BLOCKS)


def add(client, meeting, kind, body, key):
    data = {**body, "key": key} if key is not None else body
    return client.post(
        reverse("meetings:editor_add", args=[meeting.pk, kind]),
        json.dumps(data),
        content_type="application/json",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_key_twice_makes_one_block_and_answers_the_same(client_for, chair, owner, minutes, kind):
    meeting, client, key = minutes["meeting"], client_for(chair), str(uuid.uuid4())
    before = BLOCKS[kind](meeting).count()
    first = add(client, meeting, kind, _form(minutes, owner)[kind], key)
    assert first.status_code == 200, first.content
    again = add(client, meeting, kind, _form(minutes, owner)[kind], key)
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert BLOCKS[kind](meeting).count() == before + 1
    recorded = EditorAddition.objects.get(meeting=meeting, key=key)
    assert (recorded.kind, recorded.object_id, recorded.author) == (kind, first.json()["id"], chair)
    # A new key is a new block.
    third = add(client, meeting, kind, _form(minutes, owner)[kind], str(uuid.uuid4()))
    assert third.status_code == 200 and third.json()["id"] != first.json()["id"]
    assert BLOCKS[kind](meeting).count() == before + 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_reads_and_writes_nothing_but_the_answer(client_for, chair, owner, minutes, kind):
    meeting, client, key = minutes["meeting"], client_for(chair), str(uuid.uuid4())
    first = add(client, meeting, kind, _form(minutes, owner)[kind], key)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as retry:
        assert add(client, meeting, kind, _form(minutes, owner)[kind], key).json() == first.json()
    sql = [q["sql"] for q in retry.captured_queries]
    assert {q.split()[0].upper() for q in sql} == {"SELECT"}, sql
    # Seven to sign in and find the meeting with its permission check, one for the key, then the block's
    # own reads (five, and the owners of the action items once the meeting has some).
    assert len(sql) == 13 + (kind == "action"), sql
    meeting_read = next(i for i, q in enumerate(sql) if 'FROM "meetings_meeting"' in q)
    assert next(i for i, q in enumerate(sql) if "editoraddition" in q) == meeting_read + 1


@pytest.mark.parametrize("kind", KINDS)
def test_someone_elses_key_is_refused_and_tells_nothing(client_for, chair, recorder, owner, minutes, kind):
    meeting, key = minutes["meeting"], str(uuid.uuid4())
    first = add(client_for(chair), meeting, kind, _form(minutes, owner)[kind], key)
    assert first.status_code == 200
    count = BLOCKS[kind](meeting).count()
    response = add(client_for(recorder), meeting, kind, _form(minutes, owner)[kind], key)
    assert response.status_code == 409
    message = "此标识已被其他内容使用,请刷新页面后重新添加。"
    assert response.json() == {"error": message, "errors": {"__all__": message}}  # nothing of the block
    assert BLOCKS[kind](meeting).count() == count


@pytest.mark.parametrize("kind", KINDS)
def test_a_key_used_for_another_kind_is_refused(client_for, chair, owner, minutes, kind):
    meeting, client, key = minutes["meeting"], client_for(chair), str(uuid.uuid4())
    other = next(k for k in KINDS if k != kind)
    assert add(client, meeting, other, _form(minutes, owner)[other], key).status_code == 200
    count = BLOCKS[kind](meeting).count()
    response = add(client, meeting, kind, _form(minutes, owner)[kind], key)
    assert response.status_code == 409 and "html" not in response.json()
    assert BLOCKS[kind](meeting).count() == count


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short",
        "x" * 65,
        "含有中文的标识含有中文的标识含有中文的标识",
        "a b c d e f g h i j k",
        "a" * 15,
        "0123456789abcdef\x00",
        12345678901234567,
        True,
        ["0123456789abcdef"],
        {"k": "0123456789abcdef"},
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_a_malformed_key_gets_a_short_chinese_message(client_for, chair, owner, minutes, kind, key):
    meeting = minutes["meeting"]
    count = BLOCKS[kind](meeting).count()
    response = add(client_for(chair), meeting, kind, _form(minutes, owner)[kind], key)
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": "新增内容的标识无效,请刷新页面后重新添加。"}
    assert BLOCKS[kind](meeting).count() == count
    assert not EditorAddition.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_block_deleted_since_answers_410(client_for, chair, owner, minutes, kind):
    meeting, client, key = minutes["meeting"], client_for(chair), str(uuid.uuid4())
    first = add(client, meeting, kind, _form(minutes, owner)[kind], key)
    BLOCKS[kind](meeting).filter(pk=first.json()["id"]).delete()
    count = BLOCKS[kind](meeting).count()
    response = add(client, meeting, kind, _form(minutes, owner)[kind], key)
    assert response.status_code == 410
    assert response.json()["errors"]["__all__"] == "该内容已被删除。" and response.json()["gone"] is True
    assert BLOCKS[kind](meeting).count() == count  # not made again


@pytest.mark.parametrize("kind", KINDS)
def test_permission_is_asked_before_the_key(client_for, chair, outsider, owner, minutes, kind):
    meeting, key = minutes["meeting"], str(uuid.uuid4())
    assert add(client_for(chair), meeting, kind, _form(minutes, owner)[kind], key).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = add(client_for(outsider), meeting, kind, _form(minutes, owner)[kind], key)
    assert response.status_code == 404
    assert not any("editoraddition" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("kind", KINDS)
def test_two_requests_with_one_key_keep_the_first_block(client_for, chair, owner, minutes, kind):
    """A retry that overtook a slow first attempt: both missed the key, the second insert of the key
    fails, and its block is rolled back with it; it answers with the first one's block."""
    meeting, client, key = minutes["meeting"], client_for(chair), str(uuid.uuid4())
    first = add(client, meeting, kind, _form(minutes, owner)[kind], key)
    count = BLOCKS[kind](meeting).count()
    real = editor_views._earlier_addition
    misses = [None]  # the first lookup misses, as it did for the second of two overlapping requests

    def lookup(*args):
        return misses.pop() if misses else real(*args)

    with mock.patch.object(editor_views, "_earlier_addition", side_effect=lookup):
        response = add(client, meeting, kind, _form(minutes, owner)[kind], key)
    assert response.status_code == 200, response.content
    assert response.json() == first.json()
    assert BLOCKS[kind](meeting).count() == count
    assert EditorAddition.objects.filter(meeting=meeting).count() == 1


def test_without_a_key_a_page_from_before_still_adds(client_for, chair, owner, minutes):
    meeting = minutes["meeting"]
    response = add(client_for(chair), meeting, "agenda", _form(minutes, owner)["agenda"], None)
    assert response.status_code == 200
    assert not EditorAddition.objects.exists()


def test_a_refused_form_records_no_key(client_for, chair, minutes):
    meeting, key = minutes["meeting"], str(uuid.uuid4())
    response = add(client_for(chair), meeting, "agenda", {"title": "", "day": "1"}, key)
    assert response.status_code == 400 and "title" in response.json()["errors"]
    assert not EditorAddition.objects.exists()
    # Corrected and sent again under the same key, it is added.
    response = add(client_for(chair), meeting, "agenda", {"title": "补充议题", "day": "1"}, key)
    assert response.status_code == 200
    assert EditorAddition.objects.get(key=key).object_id == response.json()["id"]
