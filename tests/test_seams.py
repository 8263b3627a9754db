"""The seams through which actions adds to meetings (meetings.hooks): registered once however often an
app starts, and the stored minutes hide every confidential entry whichever part wrote it."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from actions import services
from actions.models import DeadlineKind
from meetings import hooks
from meetings.document import document_for_reader, has_confidential_parts
from tests.factories import MeetingFactory, UserFactory, make_action

SEAMS = (
    "page_sections",
    "editor_sections",
    "detail_prefetches",
    "viewers",
    "history_sources",
    "snapshot_parts",
)


@pytest.mark.django_db
def test_starting_the_apps_again_registers_nothing_twice(client_for):
    before = {name: list(getattr(hooks, name)) for name in SEAMS}
    choices = list(hooks.history_choices["status"])
    for label in ("meetings", "actions", "reports"):
        apps.get_app_config(label).ready()
    assert {name: list(getattr(hooks, name)) for name in SEAMS} == before
    assert hooks.history_choices["status"] == choices
    assert all(before.values())
    chair = UserFactory()
    meeting = MeetingFactory(chair=chair, recorder=chair)
    make_action(meeting=meeting, lead=chair, title="提交方案")
    response = client_for(chair).get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200
    assert response.text.count("提交方案") == 1


def test_a_reader_never_sees_a_confidential_entry_of_any_part():
    document = {
        "agenda": [{"title": "人事调整", "confidential": True}, {"title": "市场活动", "confidential": False}],
        "decisions": [],
        "a_later_part": {"rows": [{"title": "秘", "confidential": True}, {"title": "公开"}]},
    }
    assert has_confidential_parts(document)
    seen = document_for_reader(document, can_see_confidential=False)
    assert [item["title"] for item in seen["agenda"]] == ["市场活动"]
    assert seen["a_later_part"]["rows"] == [{"title": "公开"}]
    assert seen["filtered"] is True
    assert document_for_reader(document, can_see_confidential=True) is document
    assert len(document["agenda"]) == 2  # the stored snapshot itself is left as it was


@pytest.mark.django_db
def test_a_postponed_item_keeps_its_date_not_its_old_words():
    """A postponement is a date picked explicitly: the one deadline rule makes it a fixed date, no longer
    an estimate, and the words that described the old date go (the log keeps them)."""
    chair = UserFactory(is_staff=True)
    meeting = MeetingFactory(chair=chair, recorder=chair)
    action = make_action(
        meeting=meeting,
        lead=chair,
        deadline_kind=DeadlineKind.RELATIVE,
        deadline_text="预计两周内",
        deadline_is_estimate=True,
        due_date=datetime.date(2026, 3, 24),
    )
    services.deadline_change_request(
        action=action, by=chair, new_due_date=datetime.date(2026, 4, 3), reason="供应商延迟", approved=True
    )
    action.refresh_from_db()
    assert (action.deadline_kind, action.due_date) == (DeadlineKind.DATE, datetime.date(2026, 4, 3))
    assert action.deadline_text == "" and not action.deadline_is_estimate
    entry = action.progress_entries.order_by("-pk").first()
    assert entry.changes["deadline_text"] == ["预计两周内", ""]
