"""The cells of the minutes' action tables, which the PDF and the .docx print alike."""

import pytest
from django.utils import translation

from reports.minutes import _prepare_action


def action(**changes) -> dict:
    base = {
        "title": "完成营销自动化系统选型",
        "leads": ["王芳"],
        "supports": [],
        "due_date": "2030-04-01",
        "deadline_kind": "relative",
        "deadline_text": "两周内",
        "deadline_is_estimate": False,
        "status": "not_started",
        "progress": 0,
        "overdue": False,
        "decision_numbers": [],
    }
    return _prepare_action(base | changes)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_a_planned_date_replaces_the_wording_it_came_from():
    cells = action()
    assert cells["deadline_cell"] == "2030年4月1日"
    assert cells["leads_cell"] == "王芳" and cells["supports_cell"] == "—"
    assert cells["title_cell"] == "完成营销自动化系统选型"


def test_an_estimated_date_says_so():
    assert action(deadline_is_estimate=True)["deadline_cell"] == "2030年4月1日(预计)"


def test_wording_that_says_more_than_a_date_is_kept():
    recurring = action(deadline_kind="recurring", deadline_text="每周五")
    assert recurring["deadline_cell"] == "2030年4月1日(每周五)"
    undated = action(due_date=None, deadline_kind="event", deadline_text="产品上线后一周")
    assert undated["deadline_cell"] == "以事件为准(产品上线后一周)"
    assert action(due_date=None, deadline_kind="ongoing", deadline_text="")["deadline_cell"] == "持续进行"
    # Wording that only repeats the kind is not printed twice.
    assert (
        action(due_date=None, deadline_kind="ongoing", deadline_text="持续进行")["deadline_cell"]
        == "持续进行"
    )


def test_status_progress_and_overdue_share_one_line():
    assert action()["status_cell"] == "未开始"
    assert action(status="in_progress", progress=60)["status_cell"] == "进行中 60%"
    assert action(status="in_progress", progress=60, overdue=True)["status_cell"] == "进行中 60%·逾期"


def test_several_owners_go_one_per_line_and_decisions_are_listed_with_the_chinese_comma():
    cells = action(leads=["市场部", "研发一部"], decision_numbers=[1, 3])
    assert cells["leads_cell"] == "市场部\n研发一部"
    assert cells["title_cell"] == "完成营销自动化系统选型(决议一、决议三)"


def test_english_cells_use_english_punctuation():
    with translation.override("en"):
        cells = action(
            leads=["王芳", "张伟"], decision_numbers=[1, 3], status="in_progress", progress=60, overdue=True
        )
    assert cells["title_cell"] == "完成营销自动化系统选型 (Decision 1, Decision 3)"
    assert cells["status_cell"] == "In progress 60% · overdue"
    assert cells["deadline_cell"] == "April 1, 2030"
