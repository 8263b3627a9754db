"""工作落实报告: the filter form, then the background render with its progress bar (reports.jobs). Who
may see which report is reports.policy's to say."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import get_language

from actions.models import local_today
from reports import jobs, metrics, period, policy


@login_required
def period_report(request):
    """GET only: the filters are in the address, so a report can be bookmarked and shared. A valid
    form asks for the render (or finds it already done over the same data)."""
    allowed = policy.access_for(request.user)
    policy.check_visible(allowed, request.GET)
    submitted = "period" in request.GET
    form = period.PeriodReportForm(
        request.GET if submitted else period.default_data(allowed), allowed=allowed
    )
    job = None
    if form.is_valid():
        params = form.job_params(language=get_language() or "zh-hans", today=local_today())
        policy.check_scope(allowed, params)  # 404 for a series or department out of reach
        job = jobs.job_request(
            kind=period.KIND, params=params, user=request.user, data_version=metrics.data_version()
        )
    context = {"form": form, "job": job, **(jobs.progress_context(job) if job else {})}
    return render(request, "reports/period.html", context, status=200 if form.is_valid() else 400)
