"""The minutes as a document: HTML (print view), PDF, and the published PDF kept in storage.

Everything renders from the data of meetings.document: the live meeting for drafts, the publication
snapshot for published minutes. Which parts a reader gets is decided by meetings.policy.
"""

import copy
import datetime
import hashlib
import json
import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from actions.models import DeadlineKind, Status
from meetings import policy
from meetings.document import document_for_reader, has_confidential_parts, minutes_document
from meetings.models import Attendance, Meeting, MeetingKind
from meetings.templatetags.minutes import enumeration
from reports.glyphs import warn_about_missing_glyphs
from reports.jobs import JobKind, Output, job_request
from reports.models import PublishedMinutes
from reports.pdf import render_pdf
from reports.templatetags.minutes_document import decision_label

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:  # a code from a newer or older schema: show it as stored
        return value


def _datetime(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# Kinds whose wording says more than the date it was planned to (每周五, 上线后一周, 持续跟进).
WORDING_KINDS = {DeadlineKind.EVENT, DeadlineKind.ONGOING, DeadlineKind.RECURRING}


def _deadline_cell(action: dict) -> str:
    """One line for the 完成时限 column: 2026年4月1日, 2026年4月1日(预计), 以事件为准(上线后一周)."""
    if action["due"]:
        text = formats.date_format(action["due"], "DATE_FORMAT")
        if action["deadline_is_estimate"]:
            text = _("%(date)s(预计)") % {"date": text}
    else:
        text = action["deadline_kind_label"]
    wording = action["deadline_text"]
    if wording and wording != text and (not action["due"] or action["deadline_kind"] in WORDING_KINDS):
        text = _("%(deadline)s(%(wording)s)") % {"deadline": text, "wording": wording}
    return text


def _status_cell(action: dict) -> str:
    """未开始 / 进行中 60% / 未开始·逾期."""
    text = action["status_label"]
    if action["status"] == Status.IN_PROGRESS and action["progress"]:
        text = f"{text} {action['progress']}%"
    if action["overdue"]:
        text = _("%(status)s·逾期") % {"status": text}
    return text


def _prepare_action(action: dict) -> dict:
    """Adds the cells of the action tables, each one line of plain text.

    The PDF and the .docx print the same cells. Plain text matters for the PDF: a line break or a styled
    span inside a cell costs WeasyPrint a line box of its own, and with 200 rows that was a third of the
    render time (benchmarks/pdf.py).
    """
    action["due"] = _date(action["due_date"])
    action["status_label"] = _label(Status, action["status"])
    action["deadline_kind_label"] = _label(DeadlineKind, action["deadline_kind"])
    # Several owners go one per line: in a narrow column 市场部、研发一部 would break inside a name.
    action["leads_cell"] = "\n".join(action["leads"]) or "—"
    action["supports_cell"] = "\n".join(action["supports"]) or "—"
    action["deadline_cell"] = _deadline_cell(action)
    action["status_cell"] = _status_cell(action)
    title = action["title"]
    if action["decision_numbers"]:
        decisions = enumeration(decision_label(number) for number in action["decision_numbers"])
        title = _("%(title)s(%(decisions)s)") % {"title": title, "decisions": decisions}
    action["title_cell"] = title
    return action


def _attendee(person: dict) -> str:
    return _("%(name)s(迟到)") % {"name": person["name"]} if person["late"] else person["name"]


def _absentee(person: dict) -> str:
    """钱七(请假:出差在外)."""
    reason = person["status_label"]
    if person["note"]:
        reason = _("%(status)s:%(note)s") % {"status": reason, "note": person["note"]}
    return _("%(name)s(%(reason)s)") % {"name": person["name"], "reason": reason}


def _agenda_days(agenda: list[dict]) -> list[dict]:
    """Agenda items grouped by day; one group without a heading unless the meeting ran several days."""
    days: dict[int, list[dict]] = {}
    for item in agenda:
        days.setdefault(item["day"], []).append(item)
    return [{"day": day, "items": items} for day, items in sorted(days.items())]


def prepare(document: dict) -> dict:
    """The document with dates as dates and codes as labels in the active language, for templates."""
    doc = copy.deepcopy(document)
    meeting = doc["meeting"]
    meeting["starts"] = _datetime(meeting["starts_at"])
    meeting["ends"] = _datetime(meeting["ends_at"])
    meeting["kind_label"] = _label(MeetingKind, meeting["kind"])
    attendance = doc["attendance"]
    for group in [attendance["absent"], attendance["guests"]]:
        for person in group:
            person["status_label"] = _label(Attendance.Status, person["status"])
            person["role_label"] = _label(Attendance.Role, person["role"])
    for group in attendance["present"]:
        for person in group["people"]:
            person["late"] = person["status"] == Attendance.Status.LATE
        group["names"] = enumeration(_attendee(person) for person in group["people"])
    attendance["absent_text"] = enumeration(_absentee(person) for person in attendance["absent"])
    attendance["guests_text"] = enumeration(person["name"] for person in attendance["guests"])
    for action in doc["actions"]:
        _prepare_action(action)
    previous = doc.get("previous_actions")
    if previous:
        previous["meeting"]["starts"] = _datetime(previous["meeting"]["starts_at"])
        for action in previous["actions"]:
            _prepare_action(action)
    doc["agenda_days"] = _agenda_days(doc["agenda"])
    doc["multi_day"] = len(doc["agenda_days"]) > 1
    doc["issues"] = [d for d in doc["decisions"] if d["problem"] or d["discussion"]]
    return doc


def html_lang() -> str:
    return "zh-CN" if (get_language() or "zh-hans").startswith("zh") else "en"


def publication_of(version) -> dict | None:
    if version is None:
        return None
    return {
        "version": version.number,
        "published_by": version.published_by.display_name if version.published_by else "",
        "published_at": timezone.localtime(version.published_at),
        "content_sha256": version.sha256,
    }


def minutes_html(
    document: dict, *, for_pdf: bool, publication: dict | None = None, request=None, is_draft: bool = True
) -> str:
    doc = prepare(document)
    context = {
        "doc": doc,
        "publication": publication,
        "is_draft": is_draft and publication is None,
        "show_confidential_marks": not doc.get("filtered") and has_confidential_parts(document),
        "classified": doc["meeting"]["is_confidential"],
        # A published file must come out the same every time, so it carries the publication time.
        "generated_at": publication["published_at"] if publication else timezone.localtime(),
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "html_lang": html_lang(),
        "for_pdf": for_pdf,
    }
    return render_to_string("reports/minutes.html", context, request)


def _texts(value):
    """Every string in the document, for the glyph check."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _replace_characters(value, table: dict[int, str]):
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {key: _replace_characters(item, table) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_characters(item, table) for item in value]
    return value


# 〓 (geta mark) is what Chinese typesetting prints for a character it has no type for.
MISSING_GLYPH_MARK = "〓"


def minutes_pdf(
    document: dict,
    *,
    publication: dict | None = None,
    is_draft: bool = True,
    progress: Progress | None = None,
) -> bytes:
    """The PDF of the document. `progress(percent, step)` hears about layout and writing (background jobs)."""
    missing = warn_about_missing_glyphs(
        _texts(document), what=f"Minutes of meeting {document['meeting']['id']}"
    )
    if missing:
        # The CJK fonts use all 65,535 glyph slots, so a character none of them has makes WeasyPrint
        # garble the text layer of the whole font: nothing could be searched or copied any more.
        document = _replace_characters(document, {ord(char): MISSING_GLYPH_MARK for char in missing})
    started = time.perf_counter()
    html = minutes_html(document, for_pdf=True, publication=publication, is_draft=is_draft)
    laid_out = None
    if progress is not None:
        progress(20, _("排版"))

        def laid_out(pages: int) -> None:
            step = ngettext("写入 PDF(共 %(pages)s 页)", "写入 PDF(共 %(pages)s 页)", pages)
            progress(75, step % {"pages": pages})

    data = render_pdf(html, laid_out=laid_out)
    logger.info(
        "Rendered the minutes of meeting %s: %d bytes in %.2f s",
        document["meeting"]["id"],
        len(data),
        time.perf_counter() - started,
    )
    return data


def latest_version(meeting: Meeting):
    if meeting.status != Meeting.Status.PUBLISHED:
        return None
    return meeting.versions.select_related("published_by").order_by("-number").first()


def reader_document(meeting: Meeting, user, version=None) -> tuple[dict, object | None, bool]:
    """(document for this reader, the published version it comes from or None, whether it is complete).

    A given version renders from its snapshot; otherwise published minutes come from the latest
    snapshot and anything else from the live meeting."""
    return document_with_access(meeting, policy.can_see_confidential(user, meeting), version)


def document_with_access(
    meeting: Meeting, full_access: bool, version=None
) -> tuple[dict, object | None, bool]:
    version = version or latest_version(meeting)
    full = version.content if version is not None else minutes_document(meeting)
    document = document_for_reader(full, can_see_confidential=full_access)
    return document, version, document is full


def _stored(version):
    return PublishedMinutes.objects.filter(
        version=version, language=get_language() or settings.LANGUAGE_CODE
    ).first()


def stored_pdf(version, progress: Progress | None = None):
    """The published PDF of a version in the active language: rendered the first time, then kept."""
    language = get_language() or settings.LANGUAGE_CODE
    existing = _stored(version)
    if existing is not None:
        return existing
    data = minutes_pdf(
        version.content, publication=publication_of(version), is_draft=False, progress=progress
    )
    digest = hashlib.sha256(data).hexdigest()
    record = PublishedMinutes(version=version, language=language, sha256=digest, size=len(data))
    record.file.save(
        f"minutes-{version.meeting_id}-v{version.number}-{language}.pdf", ContentFile(data), save=False
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Two readers asked at once and the other one stored it first; rendering is deterministic, so
        # both files are the same. Keep theirs and drop ours.
        record.file.delete(save=False)
        return PublishedMinutes.objects.get(version=version, language=language)
    return record


def pdf_for_reader(meeting: Meeting, user, version=None) -> bytes:
    """The minutes PDF this reader may have: the stored file for full access to published minutes,
    otherwise a render of just what they may see."""
    return reader_pdf(meeting, *reader_document(meeting, user, version))


def reader_pdf(
    meeting: Meeting, document: dict, version, complete: bool, progress: Progress | None = None
) -> bytes:
    if version is not None and complete:
        record = stored_pdf(version, progress)
        with record.file.open("rb") as handle:
            return handle.read()
    # Minutes published before snapshots existed have no version: live content, but no watermark.
    is_draft = version is None and meeting.status != Meeting.Status.PUBLISHED
    return minutes_pdf(document, publication=publication_of(version), is_draft=is_draft, progress=progress)


# --- Long minutes render in a background job (reports.jobs) while the page shows a progress bar.

LINE_CHARS = 40  # characters of body text in one line: 11 pt on A4 between our margins
PAGE_LINES = 34  # lines of body text on one page, headings and spacing included


def _lines(text: str, per_line: int = LINE_CHARS) -> int:
    return sum(-(-len(line) // per_line) for line in (text or "").splitlines() if line.strip())


def estimated_pages(document: dict) -> int:
    """About how many pages the PDF of this document has, from its text alone, without laying it out.

    Good enough to choose between rendering during the request and in the background: within a fifth of
    the real count for the meetings of benchmarks/pdf.py (tests/reports/test_minutes_job.py)."""
    meeting = document["meeting"]
    lines = 14.0 + _lines(meeting["background"]) + _lines(meeting["summary"])  # header block, details
    lines += 1.2 * len(document["agenda"])
    for item in document["agenda"]:
        lines += 2 + sum(1.5 + _lines(report["content"]) for report in item["reports"])
    for decision in document["decisions"]:
        lines += 1 + _lines(decision["text"])
        if decision["problem"] or decision["discussion"]:
            lines += 2.5 + _lines(decision["problem"]) + _lines(decision["discussion"])
    previous = document.get("previous_actions") or {}
    for action in [*document["actions"], *previous.get("actions", [])]:
        lines += 1.2 + 0.8 * _lines(action["title"], 14)  # 10 pt rows in a narrow column
    return max(1, math.ceil(lines / PAGE_LINES))


def _document_digest(document: dict) -> str:
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def background_job(
    meeting: Meeting, user, document: dict, version, complete: bool, *, pages: int, filename: str
):
    """The background render of these minutes for this reader, when they are too long to render during
    the request (`pages`, from estimated_pages, over MINUTES_BACKGROUND_PAGES); None otherwise.

    The job is keyed by the reader's document itself, so any edit, a new day (overdue marks) or another
    language makes a new render, and readers who get the same document share one."""
    if version is not None and complete and _stored(version) is not None:
        return None  # already rendered: served from storage at once
    if pages <= settings.MINUTES_BACKGROUND_PAGES:
        return None
    params = {
        "meeting": meeting.pk,
        "version": version.number if version is not None else None,
        "full_access": policy.can_see_confidential(user, meeting),
        "language": get_language() or settings.LANGUAGE_CODE,
        "filename": filename,
    }
    return job_request(kind="minutes_pdf", params=params, user=user, data_version=_document_digest(document))


def _render_job(params: dict, progress: Progress) -> dict:
    progress(5, _("读取会议内容"))
    meeting = Meeting.objects.get(pk=params["meeting"])
    version = None
    if params["version"] is not None:
        version = meeting.versions.select_related("published_by").get(number=params["version"])
    document, version, complete = document_with_access(meeting, params["full_access"], version)
    data = reader_pdf(meeting, document, version, complete, progress=progress)
    return {"pdf": Output(filename=params["filename"], content_type="application/pdf", content=data)}


def _can_view_job(user, params: dict) -> bool:
    meeting = Meeting.objects.filter(policy.visibility_q(user), pk=params.get("meeting")).first()
    if meeting is None:
        return False
    return not params.get("full_access") or policy.can_see_confidential(user, meeting)


minutes_job = JobKind(name="minutes_pdf", render=_render_job, can_view=_can_view_job)
