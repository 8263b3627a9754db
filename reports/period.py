"""工作落实报告 (period report): the filter form and the background render (web fragment, PDF and .xlsx
from one computation). The figures are in reports.metrics; who may see which report, in reports.policy."""

import datetime

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.filters import MarkInvalidMixin
from actions.models import local_today
from meetings.forms import check_year
from reports import charts, metrics, policy
from reports.jobs import JobKind, Output
from reports.pdf import render_pdf
from reports.period_xlsx import OVERDUE_SHEET_ROWS, XLSX_TYPE, workbook_bytes

KIND = "period_report"


class PeriodReportForm(MarkInvalidMixin, forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("范围"))
    department = forms.TypedChoiceField(label=gettext_lazy("部门"), coerce=int, required=False)
    series = forms.TypedChoiceField(label=gettext_lazy("会议系列"), coerce=int, required=False)
    period = forms.ChoiceField(label=gettext_lazy("统计周期"), choices=metrics.PERIOD_KINDS)
    day = forms.DateField(
        label=gettext_lazy("所在日期"),
        required=False,
        help_text=gettext_lazy("统计包含这一天的周、月、季度或年"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("日期格式不正确,请按“2026-11-22”的格式填写。")},
    )
    start = forms.DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("日期格式不正确,请按“2026-11-22”的格式填写。")},
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("日期格式不正确,请按“2026-11-22”的格式填写。")},
    )
    target = forms.DecimalField(
        label=gettext_lazy("按时完成率目标(%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        error_messages={
            "min_value": gettext_lazy("目标应在 0 到 100 之间。"),
            "max_value": gettext_lazy("目标应在 0 到 100 之间。"),
            "invalid": gettext_lazy("目标请填写数字,例如 90。"),
            "max_decimal_places": gettext_lazy("目标最多保留一位小数。"),
        },
    )

    def __init__(self, *args, allowed: policy.ReportAccess, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed
        scopes = [(metrics.DEPARTMENT, _("部门(含下级部门)")), (metrics.SERIES, _("会议系列"))]
        if allowed.everything:
            scopes.insert(0, (metrics.ORGANISATION, _("全公司")))
        self.fields["scope"].choices = scopes
        self.fields["department"].choices = [("", "—"), *allowed.departments()]
        self.fields["series"].choices = [("", "—"), *allowed.series().values_list("pk", "title")]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"
            field.widget.attrs["data-field"] = name

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == metrics.DEPARTMENT and not cleaned.get("department") and "department" not in self.errors:
            self.add_error("department", _("请选择部门。"))
        if scope == metrics.SERIES and not cleaned.get("series") and "series" not in self.errors:
            self.add_error("series", _("请选择会议系列。"))
        kind = cleaned.get("period")
        if kind == metrics.CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            for name, label in (("start", _("开始日期")), ("end", _("结束日期"))):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("自定义期间请填写%(field)s。") % {"field": label})
            if start and end:
                if end < start:
                    self.add_error("end", _("结束日期不能早于开始日期。"))
                elif (end - start).days + 1 > metrics.MAX_PERIOD_DAYS:
                    self.add_error("end", _("统计期间不能超过 5 年,请缩短期间。"))
        for name, label in (("day", _("所在日期")), ("start", _("开始日期")), ("end", _("结束日期"))):
            try:
                check_year(cleaned.get(name), label)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def chosen_period(self) -> metrics.Period:
        data = self.cleaned_data
        if data["period"] == metrics.CUSTOM:
            return metrics.Period(metrics.CUSTOM, data["start"], data["end"])
        return metrics.Period.containing(data["period"], data.get("day") or local_today())

    def job_params(self, *, language: str, today: datetime.date) -> dict:
        data, period = self.cleaned_data, self.chosen_period()
        return {
            "scope": data["scope"],
            "department": data.get("department") if data["scope"] == metrics.DEPARTMENT else None,
            "series": data.get("series") if data["scope"] == metrics.SERIES else None,
            "period": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "target": float(data["target"]) if data.get("target") is not None else None,
            # A series report shows only what its reader may see of the meetings (reports.policy).
            "reader": self.allowed.reader_for(data["scope"]),
            "language": language,
            "today": today.isoformat(),
        }


def default_data(allowed: policy.ReportAccess) -> dict:
    """The first visit: this month, the whole organisation (staff) or the first department one heads."""
    data = {"period": metrics.MONTH, "day": local_today().isoformat()}
    if allowed.everything:
        data["scope"] = metrics.ORGANISATION
    else:
        data["scope"] = metrics.DEPARTMENT
        data["department"] = allowed.departments()[0][0]
    return data


# The background render ------------------------------------------------------------------------


def report_from_params(params: dict, scope: metrics.Scope, progress=None) -> metrics.PeriodReport:
    period = metrics.Period(
        params["period"],
        datetime.date.fromisoformat(params["start"]),
        datetime.date.fromisoformat(params["end"]),
    )
    return metrics.build_report(
        scope=scope,
        period=period,
        today=datetime.date.fromisoformat(params["today"]),
        target=params.get("target"),
        progress=progress,
    )


def report_context(report: metrics.PeriodReport, svgs: dict, *, rows: int = metrics.PAGE_ROWS) -> dict:
    """What period_body.html shows. Long tables stop after `rows` rows (fewer in the PDF, which WeasyPrint
    lays out cell by cell); the spreadsheet has every row."""
    today = report.today
    overdue = list(metrics.overdue_items(report.scope.actions(), today)[:rows])
    for item in overdue:
        item.overdue_days = (today - item.due_date).days
    recurring = report.recurring
    return {
        "report": report,
        "m": metrics.METRICS,
        "charts": svgs,
        "chart_images": {name: charts.data_uri(svg) for name, svg in svgs.items()},
        "overdue": overdue,
        "recurring_value": f"{recurring.get('delivered', 0)} / {recurring.get('owed', 0)}",
        "departments": report.departments[:rows],
        "owners": report.owners[:rows],
        # The recurring items furthest behind first.
        "recurring_rows": sorted(recurring["rows"], key=lambda r: (r["rate"], r["title"]))[:rows],
        "page_rows": rows,
        "stale_days": metrics.STALE_DAYS,
        "generated_at": timezone.localtime(),
    }


def render_period_report(params: dict, progress) -> dict[str, Output]:
    scope = policy.scope_for_render(params)
    report = report_from_params(params, scope, progress)
    progress(60, _("绘制图表"))
    svgs = charts.report_charts(report)
    context = report_context(report, svgs)
    progress(70, _("生成网页"))
    body = render_to_string("reports/period_body.html", {**context, "for_pdf": False})
    progress(75, _("生成 PDF"))
    html_lang = "zh-CN" if params.get("language", "zh-hans").startswith("zh") else "en"
    pdf_context = {
        **report_context(report, svgs, rows=metrics.PDF_ROWS),
        "for_pdf": True,
        "html_lang": html_lang,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
    }
    pdf = render_pdf(render_to_string("reports/period_pdf.html", pdf_context))
    progress(90, _("生成 Excel"))
    overdue = metrics.overdue_rows(scope.actions(), report.today, limit=OVERDUE_SHEET_ROWS)
    xlsx = workbook_bytes(report, overdue)
    stem = _("工作落实报告") + f"-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    return {
        "html": Output(f"{stem}.html", "text/html; charset=utf-8", body.encode()),
        "pdf": Output(f"{stem}.pdf", "application/pdf", pdf),
        "xlsx": Output(f"{stem}.xlsx", XLSX_TYPE, xlsx),
    }


period_job = JobKind(name=KIND, render=render_period_report, can_view=policy.can_view_period)
