"""The period reports' data version: a cached report is reused only while nothing it reads has changed."""

import datetime

import pytest

from reports.metrics import data_version
from tests.factories import DepartmentFactory, make_action

pytestmark = pytest.mark.django_db


def test_the_version_changes_with_items_progress_and_who_works_where(owner, department):
    action = make_action(lead=owner, title="提交竞品分析", due_date=datetime.date(2026, 3, 20))
    before = data_version()
    assert data_version() == before  # nothing changed: the cached report stays valid

    action.title = "提交竞品分析报告"
    action.save()
    after_edit = data_version()
    assert after_edit != before

    # 王芳 moves to another department: the department reports count her items elsewhere now.
    owner.department = DepartmentFactory(name="研发一部")
    owner.save()
    assert data_version() != after_edit
