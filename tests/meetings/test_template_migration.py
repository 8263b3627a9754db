"""The data migration that brings templates saved earlier in line with the rule."""

import importlib

import pytest
from django.apps import apps

from meetings.models import AgendaItem, MeetingTemplate
from tests.factories import MeetingFactory

migration = importlib.import_module("meetings.migrations.0007_existing_templates_keep_confidentiality")


@pytest.mark.django_db
def test_a_template_saved_from_a_confidential_meeting_becomes_confidential_and_loses_secret_titles():
    board = MeetingFactory(title="薪酬委员会会议", is_confidential=True)
    weekly = MeetingFactory(title="市场部周例会")
    AgendaItem.objects.create(meeting=weekly, title="渠道费用复盘", order=1)
    AgendaItem.objects.create(meeting=weekly, title="人事调整安排", order=2, is_confidential=True)
    old_board = MeetingTemplate.objects.create(
        name="薪酬会", title=board.title, agenda=[{"title": "奖金方案"}]
    )
    old_weekly = MeetingTemplate.objects.create(
        name="周例会", title=weekly.title, agenda=[{"title": "渠道费用复盘"}, {"title": "人事调整安排"}]
    )
    migration.forwards(apps, None)
    old_board.refresh_from_db()
    old_weekly.refresh_from_db()
    assert old_board.is_confidential
    assert not old_weekly.is_confidential
    assert [e["title"] for e in old_weekly.agenda] == ["渠道费用复盘"]
