"""Meeting series (会议系列) and meeting templates (会议模板)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import NotFound
from meetings import policy, services
from meetings import series as series_rules
from meetings.forms_lifecycle import FromTemplateForm, SeriesForm
from meetings.models import Meeting, MeetingSeries, MeetingTemplate

PAGE_SIZE = 20


def _visible_series():
    return MeetingSeries.objects.select_related("department", "chair", "recorder")


def get_series_for_user(request, series_id: int) -> MeetingSeries:
    ids = MeetingSeries.objects.filter(policy.series_visibility_q(request.user), pk=series_id).values("pk")
    series = _visible_series().filter(pk__in=ids).first()
    if series is None:
        raise NotFound(_("会议系列不存在,或您没有查看权限。"))
    return series


@login_required
@require_GET
def series_list(request):
    ids = MeetingSeries.objects.filter(policy.series_visibility_q(request.user)).values("pk")
    series = _visible_series().filter(pk__in=ids).annotate(meeting_count=Count("meetings")).order_by("title")
    page = Paginator(series, PAGE_SIZE).get_page(request.GET.get("page"))
    for s in page:
        s.rule_text = series_rules.describe_rule(s)
    return render(request, "meetings/series_list.html", {"page": page})


def _save(request, form, series=None):
    try:
        saved = series_rules.series_save(
            series=form.save(commit=False), participants=form.cleaned_data["participants"], by=request.user
        )
    except ValidationError as exc:
        form._update_errors(exc)
        return None
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def series_create(request):
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form)
        if saved is not None:
            messages.success(request, _("会议系列已创建。现在可以创建第一次会议。"))
            return redirect(saved)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/series_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request, series_id: int):
    series = get_series_for_user(request, series_id)
    if not policy.can_manage_series(request.user, series):
        raise NotFound(_("会议系列不存在,或您没有编辑权限。"))
    form = SeriesForm(request.POST or None, instance=series)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, series)
        if saved is not None:
            messages.success(request, _("会议系列已保存。"))
            return redirect(saved)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/series_form.html", {"form": form, "series": series}, status=status)


@login_required
@require_GET
def series_detail(request, series_id: int):
    series = get_series_for_user(request, series_id)
    visible = Meeting.objects.filter(policy.visibility_q(request.user), series=series).values("pk")
    meetings = Meeting.objects.filter(pk__in=visible).with_people().order_by("-starts_at", "-pk")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    upcoming = None
    if series.recurrence and series.first_date and series.start_time:
        try:
            upcoming = series_rules.starts_at_on(series, series_rules.upcoming_date(series))
        except ValidationError:
            upcoming = None
    context = {
        "series": series,
        "page": page,
        "rule_text": series_rules.describe_rule(series),
        "upcoming": upcoming,
        "can_manage": policy.can_manage_series(request.user, series),
        "participants": list(series.participants.all()),
    }
    return render(request, "meetings/series_detail.html", context)


@login_required
@require_POST
def series_next_meeting(request, series_id: int):
    """创建下次会议: one click; the same meeting comes back if it already exists."""
    series = get_series_for_user(request, series_id)
    if not policy.can_manage_series(request.user, series):
        raise NotFound(_("会议系列不存在,或您没有编辑权限。"))
    try:
        meeting, created = series_rules.series_create_next_meeting(series=series, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages) + " " + _("请先完善系列的重复规则。"))
        return redirect(series)
    if created:
        messages.success(request, _("已创建下次会议,并带入模板议程、参会人员和上次会议行动项回顾。"))
    else:
        messages.info(request, _("下次会议已经存在。"))
    return redirect(meeting)


@login_required
@require_GET
def series_ics_download(request, series_id: int):
    series = get_series_for_user(request, series_id)
    try:
        data = series_rules.series_ics(series)
    except ValidationError:
        messages.error(request, _("该系列还没有完整的重复规则,无法导出日历。"))
        return redirect(series)
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="series-{series.pk}.ics"'
    return response


def _templates_for(user):
    """The templates a user may see and use (policy.template_visibility_q); only a template's creator
    and admins delete it."""
    return (
        MeetingTemplate.objects.filter(policy.template_visibility_q(user))
        .distinct()
        .select_related("department", "chair", "created_by")
    )


@login_required
@require_GET
def template_list(request):
    page = Paginator(_templates_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "meetings/template_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def template_use(request, template_id: int):
    template = get_object_or_404(_templates_for(request.user), pk=template_id)
    form = FromTemplateForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create_from_template(
                template=template,
                by=request.user,
                starts_at=form.cleaned_data["starts_at"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已从模板创建会议。"))
            return redirect(meeting)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/template_use.html", {"form": form, "template": template}, status=status)


@login_required
@require_POST
def template_delete(request, template_id: int):
    template = get_object_or_404(_templates_for(request.user), pk=template_id)
    if not (policy.is_admin(request.user) or template.created_by_id == request.user.pk):
        raise Http404
    template.delete()
    messages.success(request, _("模板已删除。"))
    return redirect("meetings:template_list")
