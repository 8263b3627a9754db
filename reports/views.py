from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from meetings.models import Attendance
from meetings.views import get_meeting_for_user
from reports.pdf import render_pdf


def _minutes_context(request, meeting):
    attendances = list(meeting.attendances.all())
    return {
        "meeting": meeting,
        "present": [
            a for a in attendances if a.status in (Attendance.Status.PRESENT, Attendance.Status.LATE)
        ],
        "absent": [
            a for a in attendances if a.status in (Attendance.Status.ABSENT, Attendance.Status.EXCUSED)
        ],
        "is_draft": meeting.status != meeting.Status.PUBLISHED,
        "generated_at": timezone.localtime(),
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "html_lang": "zh-CN" if (get_language() or "zh-hans").startswith("zh") else "en",
    }


@login_required
def minutes_pdf(request, meeting_id: int):
    meeting = get_meeting_for_user(request, meeting_id)
    html = render_to_string(
        "reports/minutes.html", {**_minutes_context(request, meeting), "for_pdf": True}, request
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    date = timezone.localtime(meeting.starts_at).strftime("%Y%m%d")
    filename = f"minutes-{meeting.pk}-{date}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def minutes_print(request, meeting_id: int):
    """The same document as the PDF, for the browser's print dialog."""
    meeting = get_meeting_for_user(request, meeting_id)
    return render(request, "reports/minutes.html", {**_minutes_context(request, meeting), "for_pdf": False})
