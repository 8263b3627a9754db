"""部门行动项 and requests waiting for approval: the 延期待审批 badge, the filter, and the cached row."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import caches
from django.urls import reverse

from actions import services
from tests.factories import make_action

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
TODAY = NOW.date()
DEPARTMENT_URL = reverse("actions:department")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _empty_fragment_cache():
    caches["template_fragments"].clear()
    yield
    caches["template_fragments"].clear()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


@pytest.fixture
def item(owner, meeting):
    return make_action(lead=owner, meeting=meeting, title="提交渠道方案", due_date=day(3))


def ask(item, by):
    return services.deadline_change_request(
        action=item, by=by, new_due_date=day(20), reason="供应商延期交货", approved=False
    )


def row(client, item, params=None) -> str:
    page = client.get(DEPARTMENT_URL, params or {}).text
    found = re.search(rf'<tr id="row-{item.pk}".*?</tr>', page, re.S)
    return found.group(0) if found else ""


@pytest.mark.django_db
def test_row_shows_a_badge_while_a_request_waits(client_for, owner, chair, item):
    ask(item, owner)
    assert "延期待审批:改为 2026年12月8日" in row(client_for(chair), item)


@pytest.mark.django_db
def test_filter_shows_only_items_with_a_waiting_request(client_for, owner, chair, item):
    make_action(lead=owner, title="按期推进", due_date=day(5))
    decided = make_action(lead=owner, title="已批准延期", due_date=day(5))
    services.deadline_change_decide(change=ask(decided, owner), by=chair, approve=True)
    ask(item, owner)
    client = client_for(chair)
    response = client.get(DEPARTMENT_URL, {"pending_change": "on"})
    assert [a.title for a in response.context["page"].object_list] == ["提交渠道方案"]
    assert 'name="pending_change"' in response.text and "只看延期待审批" in response.text
    assert "清除筛选" in response.text
    assert len(client.get(DEPARTMENT_URL).context["page"].object_list) == 3


@pytest.mark.django_db
def test_export_follows_the_filter(client_for, owner, chair, item):
    make_action(lead=owner, title="按期推进", due_date=day(5))
    ask(item, owner)
    response = client_for(chair).get(reverse("actions:export", args=["csv"]), {"pending_change": "on"})
    text = response.content.decode("utf-8-sig")
    assert "提交渠道方案" in text and "按期推进" not in text


@pytest.mark.django_db
def test_cached_row_changes_when_a_request_appears_and_is_decided(client_for, owner, chair, item):
    client = client_for(chair)
    before = row(client, item)
    assert "延期待审批" not in before
    assert row(client, item) == before  # served from the fragment cache

    change = ask(item, owner)
    waiting = row(client, item)
    assert "延期待审批" in waiting

    services.deadline_change_decide(change=change, by=chair, approve=False, note="请按期完成")
    rejected = row(client, item)
    assert "延期待审批" not in rejected and "2026年11月21日" in rejected

    services.deadline_change_decide(change=ask(item, owner), by=chair, approve=True)
    approved = row(client, item)
    assert "延期待审批" not in approved and "2026年12月8日" in approved
