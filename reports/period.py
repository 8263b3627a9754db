"""工作落实报告 (period report): who may see which scope, the filter form, and the background render
(web fragment, PDF and .xlsx from one computation). The figures are in reports.metrics."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.filters import MarkInvalidMixin
from actions.models import local_today
from actions.policy import can_view_all_actions
from config.errors import NotFound
from meetings.forms import check_year
from meetings.models import Department, MeetingSeries
from reports import charts, metrics
from reports.jobs import JobKind, Output
from reports.pdf import render_pdf
from reports.period_xlsx import OVERDUE_SHEET_ROWS, XLSX_TYPE, workbook_bytes

KIND = "period_report"


# Who may see what: staff see the whole organisation; department heads see the departments they head
# with everything below them (Department.managed_by, as in 部门行动项), and the series those departments
# hold or they chair.


class Allowed:
    def __init__(self, user):
        self.user = user
        self.everything = can_view_all_actions(user)
        self.department_ids = (
            set(Department.objects.values_list("pk", flat=True))
            if self.everything
            else Department.managed_by(user)
        )

    def __bool__(self) -> bool:
        return self.everything or bool(self.department_ids)

    def series(self):
        series = MeetingSeries.objects.order_by("title")
        if self.everything:
            return series
        return series.filter(Q(department_id__in=sorted(self.department_ids)) | Q(chair=self.user))

    def departments(self) -> list[tuple[int, str]]:
        """The picker: the allowed departments as a tree, indented."""
        rows = list(
            Department.objects.filter(pk__in=self.department_ids).values_list("pk", "name", "parent_id")
        )
        known = {pk for pk, _name, _parent in rows}
        children: dict[int | None, list] = {}
        for pk, name, parent in rows:
            children.setdefault(parent if parent in known else None, []).append((pk, name))
        ordered, stack = [], [(row, 0) for row in reversed(children.get(None, []))]
        while stack:
            (pk, name), depth = stack.pop()
            ordered.append((pk, "\u3000" * depth + ("└ " if depth else "") + name))
            stack.extend((child, depth + 1) for child in reversed(children.get(pk, [])))
        return ordered


def allowed_for(request) -> Allowed:
    allowed = Allowed(request.user)
    if not allowed:
        raise PermissionDenied(_("只有部门负责人和管理员可以查看工作落实报告。"))
    return allowed


def scope_for(allowed: Allowed, params: dict) -> metrics.Scope:
    """The scope the parameters ask for, if this user may see it; otherwise 404, so ids reveal nothing."""
    kind = params.get("scope")
    if kind == metrics.ORGANISATION:
        if not allowed.everything:
            raise NotFound(_("您没有查看全公司报告的权限。"))
        return metrics.Scope(metrics.ORGANISATION, _("全公司"))
    if kind == metrics.DEPARTMENT:
        department = Department.objects.filter(pk=_int(params.get("department"))).first()
        if department is None or department.pk not in allowed.department_ids:
            raise NotFound(_("部门不存在,或不在您的查看范围内。"))
        ids = Department.subtree_ids([department.pk])
        label = department.name + (_("(含下级部门)") if len(ids) > 1 else "")
        return metrics.Scope(metrics.DEPARTMENT, label, department_ids=frozenset(ids))
    if kind == metrics.SERIES:
        series = allowed.series().filter(pk=_int(params.get("series"))).first()
        if series is None:
            raise NotFound(_("会议系列不存在,或不在您的查看范围内。"))
        return metrics.Scope(metrics.SERIES, series.title, series_id=series.pk)
    raise Http404


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_visible(request, allowed: Allowed) -> None:
    """A department, series or whole-organisation scope in the address that the user may not see
    answers 404, before any form message: ids reveal nothing."""
    get = request.GET
    wanted = get.get("department", "")
    if wanted and (_int(wanted) is None or _int(wanted) not in allowed.department_ids):
        raise NotFound(_("部门不存在,或不在您的查看范围内。"))
    wanted = get.get("series", "")
    if wanted and not allowed.series().filter(pk=_int(wanted) or 0).exists():
        raise NotFound(_("会议系列不存在,或不在您的查看范围内。"))
    if get.get("scope") == metrics.ORGANISATION and not allowed.everything:
        raise NotFound(_("您没有查看全公司报告的权限。"))


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

    def __init__(self, *args, allowed: Allowed, **kwargs):
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
            "language": language,
            "today": today.isoformat(),
        }


def default_data(allowed: Allowed) -> dict:
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


def _scope_from_params(params: dict) -> metrics.Scope:
    """In the worker there is no user: the permission was checked when the job was asked for, and
    `can_view_period` checks it again for every reader of the result."""

    class Everything:
        everything = True
        department_ids = set(Department.objects.values_list("pk", flat=True))
        user = None

        def series(self):
            return MeetingSeries.objects.all()

    return scope_for(Everything(), params)


def render_period_report(params: dict, progress) -> dict[str, Output]:
    scope = _scope_from_params(params)
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


def can_view_period(user, params: dict) -> bool:
    allowed = Allowed(user)
    if not allowed:
        return False
    try:
        scope_for(allowed, params)
    except Http404:
        return False
    return True


period_job = JobKind(name=KIND, render=render_period_report, can_view=can_view_period)
