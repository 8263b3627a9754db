"""我的行动项 caches what each row shows under a hash of everything it shows (row_version): every change
a user can make must still appear on the next page load, and nobody sees another viewer's buttons."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.urls import reverse

from actions import services
from meetings.models import Decision
from tests.factories import make_action

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _empty_fragment_cache():
    caches["template_fragments"].clear()
    yield
    caches["template_fragments"].clear()


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def item(owner, chair, meeting):
    action = make_action(
        lead=owner, meeting=meeting, title="提交复杂审批流程优化方案", due_date=datetime.date(2026, 3, 20)
    )
    action.decisions.add(Decision.objects.create(meeting=meeting, number=1, text="优化审批流程"))
    return action


def row(client, item) -> str:
    """The row of the one item on 我的行动项, without the CSRF tokens, which change on every request."""
    page = client.get(reverse("actions:my")).text
    shown = page[page.index(f'id="action-{item.pk}"') :]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", shown)


@pytest.mark.django_db
def test_the_row_is_cached_and_served_again(client_for, owner, item, frozen):
    client = client_for(owner)
    first = row(client, item)
    assert len(caches["template_fragments"]._cache) >= 1
    assert row(client, item) == first


@pytest.mark.django_db
def test_progress_and_notes_show_at_once(client_for, owner, item, frozen):
    client = client_for(owner)
    assert "35%" not in row(client, item)
    services.action_update_progress(action=item, by=owner, progress=35, note="已完成初稿")
    shown = row(client, item)
    assert "35%" in shown
    assert "已完成初稿" in shown


@pytest.mark.django_db
def test_renamed_owner_meeting_and_decision_show_at_once(client_for, owner, meeting, item, frozen):
    client = client_for(owner)
    row(client, item)
    owner.name = "王芳芳"
    owner.save()
    meeting.title = "市场部第13次周例会"
    meeting.save()
    Decision.objects.filter(meeting=meeting).update(text="审批流程三月底前上线")
    shown = row(client, item)
    assert "王芳芳" in shown
    assert "市场部第13次周例会" in shown
    assert "审批流程三月底前上线" in shown


@pytest.mark.django_db
def test_the_due_phrase_follows_the_day(client_for, owner, item, frozen):
    # An hour before and after midnight in Beijing: well within the cache's lifetime.
    frozen.move_to(MONDAY.replace(hour=23, minute=30))
    client = client_for(owner)
    assert "还有4天" in row(client, item)
    frozen.move_to(MONDAY.replace(hour=23, minute=30) + datetime.timedelta(hours=1))
    assert "还有3天" in row(client, item)


@pytest.mark.django_db
def test_the_language_is_part_of_the_key(client_for, owner, item, frozen):
    client = client_for(owner)
    assert "完成时限" in row(client, item)
    owner.language = "en"
    owner.save()
    shown = row(client, item)
    assert "Deadline" in shown
    assert "完成时限" not in shown


@pytest.mark.django_db
def test_each_viewer_gets_the_buttons_of_their_role(client, owner, chair, item, frozen):
    client.force_login(owner)
    assert "申请延期" in row(client, item)
    # The chair answers for nothing here, so the item is on the chair's list only as a lead.
    item.owners.create(user=chair, role="support")
    client.force_login(chair)
    shown = row(client, item)
    assert "修改时限" in shown
    assert "申请延期" not in shown
