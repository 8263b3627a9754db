"""Downloads of the minutes: PDF, Word and the browser's print view. Each reader gets what they may see."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from config.errors import NotFound
from meetings.models import Meeting
from meetings.policy import visibility_q
from reports import jobs, minutes
from reports.docx import minutes_docx


def get_meeting_for_reader(request, meeting_id: int) -> Meeting:
    """The meeting if this user may see it, else 404. The documents load their own data, so nothing
    is prefetched here."""
    visible = Meeting.objects.filter(visibility_q(request.user), pk=meeting_id).values("pk")
    meeting = Meeting.objects.with_people().filter(pk__in=visible).first()
    if meeting is None:
        raise NotFound(_("会议不存在,或您没有查看权限。"))
    return meeting


def _filename(meeting, extension: str) -> str:
    date = timezone.localtime(meeting.starts_at).strftime("%Y%m%d")
    return f"minutes-{meeting.pk}-{date}.{extension}"


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The file depends on who asks (confidential parts), so no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_response(request, meeting: Meeting, version=None, *, filename: str):
    """The PDF as a download, or, for minutes too long to render during the request, a page that shows
    the background render's progress and then offers the file."""
    document, version, complete = minutes.reader_document(meeting, request.user, version)
    pages = minutes.estimated_pages(document)
    job = minutes.background_job(
        meeting, request.user, document, version, complete, pages=pages, filename=filename
    )
    if job is not None:
        context = {"meeting": meeting, "pages": pages, **jobs.progress_context(job)}
        return render(request, "reports/minutes_job.html", context)
    data = minutes.reader_pdf(meeting, document, version, complete)
    return _attachment(data, "application/pdf", filename)


@login_required
def minutes_pdf(request, meeting_id: int):
    meeting = get_meeting_for_reader(request, meeting_id)
    return _pdf_response(request, meeting, filename=_filename(meeting, "pdf"))


@login_required
def minutes_version_pdf(request, meeting_id: int, number: int):
    """One published version as it was signed off, also after the minutes were reopened (v1 next to v2)."""
    meeting = get_meeting_for_reader(request, meeting_id)
    version = get_object_or_404(meeting.versions.select_related("published_by"), number=number)
    return _pdf_response(request, meeting, version, filename=_filename(meeting, f"v{number}.pdf"))


@login_required
def minutes_docx_download(request, meeting_id: int):
    meeting = get_meeting_for_reader(request, meeting_id)
    document, version, _complete = minutes.reader_document(meeting, request.user)
    data = minutes_docx(document, publication=minutes.publication_of(version), language=get_language())
    return _attachment(
        data,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _filename(meeting, "docx"),
    )


@login_required
def minutes_print(request, meeting_id: int):
    """The same document as the PDF, for the browser's print dialog."""
    meeting = get_meeting_for_reader(request, meeting_id)
    document, version, _complete = minutes.reader_document(meeting, request.user)
    html = minutes.minutes_html(
        document,
        for_pdf=False,
        publication=minutes.publication_of(version),
        request=request,
        is_draft=meeting.status != meeting.Status.PUBLISHED,
    )
    return HttpResponse(html)
