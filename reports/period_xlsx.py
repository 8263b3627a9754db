"""工作落实报告 as .xlsx: one sheet per table (openpyxl, write-only so a long overdue list streams)."""

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from actions.exports import XLSX_TYPE, cell_text
from reports import metrics

__all__ = ["OVERDUE_SHEET_ROWS", "XLSX_TYPE", "workbook_bytes"]

# The overdue sheet stops here: a report is a summary, and 全部行动项 exports any number of items.
OVERDUE_SHEET_ROWS = 5000


def _clean(value):
    return cell_text(value) if isinstance(value, str) else value


class _Sheet:
    def __init__(self, workbook: Workbook, title: str, columns: list[tuple[str, int]]):
        self.sheet = workbook.create_sheet(title)
        for index, (_header, width) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        self.rows = 0
        self.columns = len(columns)
        self._append([(header, "bold") for header, _width in columns])

    def _append(self, values) -> None:
        cells = []
        for value, style in values:
            value = _clean(value)
            if style is None and not isinstance(value, datetime.date):
                cells.append(value)  # a plain value: openpyxl writes it without a cell object of ours
                continue
            cell = WriteOnlyCell(self.sheet, value=value)
            if style == "bold":
                cell.font = Font(bold=True)
            elif style == "percent":
                cell.number_format = '0.0"%"'
            else:
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        self.sheet.append(cells)

    def row(self, *values, percent: tuple[int, ...] = ()) -> None:
        self._append([(v, "percent" if i in percent else None) for i, v in enumerate(values)])
        self.rows += 1

    def close(self) -> None:
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{self.rows + 1}"


def _summary(workbook, report: metrics.PeriodReport) -> None:
    m = metrics.METRICS
    sheet = _Sheet(workbook, _("概览"), [(_("指标"), 18), (_("本期"), 12), (_("上期"), 12), (_("定义"), 90)])
    sheet.row(_("范围"), report.scope.label, None, None)
    sheet.row(_("统计期间"), report.period.label, report.period.previous().label, None)
    sheet.row(_("统计日期"), report.today, None, None)
    cur, prev = report.current, report.previous
    for key, now, before in (
        ("meetings", report.meetings.get("meetings"), None),
        ("decisions", report.meetings.get("decisions"), None),
        ("created", cur.created, prev.created),
        ("completed", cur.completed, prev.completed),
        ("due", cur.due, prev.due),
        ("on_time", cur.on_time, prev.on_time),
    ):
        sheet.row(str(m[key].label), now, before, m[key].help)
    sheet.row(
        str(m["on_time_rate"].label),
        cur.on_time_rate,
        prev.on_time_rate,
        m["on_time_rate"].help,
        percent=(1, 2),
    )
    sheet.row(str(m["late"].label), cur.late, prev.late, m["late"].help)
    sheet.row(str(m["late_rate"].label), cur.late_rate, prev.late_rate, m["late_rate"].help, percent=(1, 2))
    sheet.row(_("按时完成率较上期(百分点)"), report.on_time_change_pp, None, m["change_pp"].help)
    sheet.row(_("逾期率较上期(百分点)"), report.late_change_pp, None, m["change_pp"].help)
    if report.target is not None:
        met = _("达成") if report.target_met else (_("未达成") if report.target_met is False else "—")
        sheet.row(_("目标(按时完成率)"), report.target, met, m["target"].help, percent=(1,))
    for key, now, before in (
        ("avg_delay", cur.avg_delay, prev.avg_delay),
        ("max_delay", cur.max_delay, prev.max_delay),
        ("median_days_to_complete", cur.median_days_to_complete, prev.median_days_to_complete),
        ("postponements", cur.postponements, prev.postponements),
        ("overdue_now", report.snapshot.get("overdue_now"), None),
        ("stale", report.snapshot.get("stale"), None),
    ):
        sheet.row(str(m[key].label), now, before, m[key].help)
    recurring = report.recurring
    sheet.row(
        str(m["recurring"].label),
        f"{recurring.get('delivered', 0)}/{recurring.get('owed', 0)}",
        None,
        m["recurring"].help,
    )
    sheet.close()


def _table(workbook, title: str, first: str, rows: list[dict]) -> None:
    sheet = _Sheet(
        workbook,
        title,
        [(first, 24), (_("未完成"), 9), (_("当前逾期"), 9), (_("到期"), 8), (_("按时完成"), 9),
         (_("按时完成率"), 11), (_("平均延误天数"), 12)],
    )  # fmt: skip
    for r in rows:
        sheet.row(
            r["name"],
            r["open"],
            r["overdue"],
            r["due"],
            r["on_time"],
            r["on_time_rate"],
            r["avg_delay"],
            percent=(5,),
        )
    sheet.close()


def workbook_bytes(report: metrics.PeriodReport, overdue_rows) -> bytes:
    workbook = Workbook(write_only=True)
    _summary(workbook, report)
    _table(workbook, _("按部门"), _("部门"), report.departments)
    _table(workbook, _("按责任人"), _("牵头人"), report.owners)

    sheet = _Sheet(
        workbook,
        _("逾期事项"),
        [(_("序号"), 6), (_("事项"), 42), (_("牵头人"), 16), (_("来源会议"), 28), (_("完成时限"), 12),
         (_("逾期天数"), 9), (_("状态"), 8), (_("进度"), 7)],
    )  # fmt: skip
    total = report.snapshot.get("overdue_now", 0)
    for number, row in enumerate(overdue_rows, start=1):
        sheet.row(
            number,
            row["title"],
            row["leads"],
            row["meeting"],
            row["due_date"],
            row["days"],
            row["status"],
            row["progress"],
        )
    if total > OVERDUE_SHEET_ROWS:
        note = _(
            "共 %(total)s 项逾期,此表列出逾期最久的 %(shown)s 项;"
            "完整清单请在“全部行动项”中筛选“只看逾期”后导出。"
        )
        sheet.row(None, note % {"total": total, "shown": OVERDUE_SHEET_ROWS})
    sheet.close()

    sheet = _Sheet(workbook, _("会议统计"), [(_("会议类型"), 24), (_("召开会议"), 10), (_("形成决议"), 10)])
    for r in report.meetings.get("by_kind", []):
        sheet.row(str(r["label"]), r["meetings"], r["decisions"])
    sheet.close()

    sheet = _Sheet(
        workbook, _("周期事项"), [(_("事项"), 42), (_("已交付"), 9), (_("应交付"), 9), (_("交付率"), 9)]
    )
    for r in report.recurring.get("rows", []):
        sheet.row(r["title"], r["delivered"], r["owed"], r["rate"], percent=(3,))
    sheet.close()

    sheet = _Sheet(
        workbook, _("趋势"), [(_("期间"), 14), (_("到期"), 8), (_("按时完成"), 9), (_("按时完成率"), 11)]
    )
    for p in report.trend:
        sheet.row(p["label"], p["due"], p["on_time"], p["rate"], percent=(3,))
    sheet.close()

    buffer = io.BytesIO()
    workbook.properties.created = timezone.now().replace(tzinfo=None)
    workbook.save(buffer)
    return buffer.getvalue()
