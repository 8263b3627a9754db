"""部门行动项 / 全部行动项 as a spreadsheet: .xlsx (openpyxl) or .csv (UTF-8 with a BOM, so Excel on
Windows reads the Chinese). Both hold exactly the rows of the filtered list, all pages."""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from actions.models import ActionItem, ActionOwner, Status
from meetings.templatetags.minutes import owners_by_role

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
PROGRESS_COLUMN = 8  # 进度, a number shown with a % sign
# A cell whose text starts with one of these is a formula to Excel and WPS (=HYPERLINK(...) that
# phones home, or +1 / -1 / @SUM that computes): an item title typed by anyone must never run.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text as it goes into a spreadsheet cell: a leading apostrophe keeps a would-be formula text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def cell_text(value: str) -> str:
    """User text as a spreadsheet cell holds it safely. Control characters go first: XML (so openpyxl)
    cannot hold them, and stripping one must not uncover a leading "=" after the formula check."""
    return safe_text(ILLEGAL_CHARACTERS_RE.sub("", value))


def _columns() -> list[tuple[str, int]]:
    """(header, width in characters); called per export so the headers follow the user's language."""
    return [
        (_("序号"), 6),
        (_("事项"), 42),
        (_("来源会议"), 28),
        (_("会议日期"), 12),
        (_("牵头"), 16),
        (_("配合"), 20),
        (_("完成时限"), 12),
        (_("状态"), 8),
        (_("进度"), 7),
        (_("是否逾期"), 9),
        (_("最近更新"), 12),
        (_("延期次数"), 9),
    ]


def export_rows(actions: Iterable[ActionItem], today: datetime.date) -> Iterator[list]:
    """One list of cell values per item: dates as dates, counts as numbers, text made safe."""
    yes, no = _("是"), _("否")
    statuses = {value: str(label) for value, label in Status.choices}
    for number, action in enumerate(actions, start=1):
        meeting = action.meeting
        deadline = action.due_date or action.deadline_text or action.get_deadline_kind_display()
        last_update = getattr(action, "last_update_at", None)
        cells = [
            number,
            action.title,
            meeting.title if meeting else "",
            timezone.localdate(meeting.starts_at) if meeting else None,
            owners_by_role(action, ActionOwner.Role.LEAD),
            owners_by_role(action, ActionOwner.Role.SUPPORT),
            deadline,
            statuses.get(action.status, action.status),
            action.progress,
            yes if action.is_overdue_on(today) else no,
            timezone.localdate(last_update) if last_update else None,
            getattr(action, "postponement_count", 0),
        ]
        yield [cell_text(cell) if isinstance(cell, str) else cell for cell in cells]


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def xlsx_response(actions: Iterable[ActionItem], *, filename: str, today: datetime.date) -> HttpResponse:
    # Write-only mode streams rows to the file instead of keeping every cell object in memory; with
    # lxml installed openpyxl also serialises much faster. Formats go on the cells as they are written.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("行动项"))
    columns = _columns()
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    def cell(value, index):
        # Only cells with a number format need a cell object; plain values are written as they are,
        # which is most of the cost of a large export saved.
        if isinstance(value, datetime.date):
            written = WriteOnlyCell(sheet, value=value)
            written.number_format = DATE_FORMAT
            return written
        if index == PROGRESS_COLUMN:
            written = WriteOnlyCell(sheet, value=value)
            written.number_format = '0"%"'
            return written
        return value

    sheet.append([header_cell(header) for header, _width in columns])
    count = 0
    for row in export_rows(actions, today):
        sheet.append([cell(value, index) for index, value in enumerate(row)])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(buffer.getvalue(), XLSX_TYPE, filename)


def csv_response(actions: Iterable[ActionItem], *, filename: str, today: datetime.date) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, _width in _columns()])
    for row in export_rows(actions, today):
        writer.writerow([f"{c}%" if i == 8 else "" if c is None else c for i, c in enumerate(row)])
    return _attachment(buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", filename)
