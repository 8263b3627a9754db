"""E-mails about meetings: the invitation (with the .ics attached) and "纪要已发布".

Each e-mail is a MeetingNotice row with a unique key before it is a message, and each is sent by a
Celery task after the transaction commits. Recipients read it in their own language, and only what the
policy lets them see: a confidential meeting's e-mail names the meeting and links to it, nothing more.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from config.mail import stable_message_id
from meetings import calendar, policy
from meetings.models import Meeting, MeetingNotice, MeetingVersion, User

logger = logging.getLogger(__name__)


def recipients(meeting: Meeting) -> list[User]:
    """Everyone on the attendance list with an account, an address and an active login."""
    people = {a.user for a in meeting.attendances.select_related("user") if a.user_id}
    for user in (meeting.chair, meeting.recorder):
        if user is not None:
            people.add(user)
    return sorted((u for u in people if u.is_active and u.email), key=lambda u: u.pk)


def _plan(meeting: Meeting, kind: str, key: str) -> list[int]:
    MeetingNotice.objects.bulk_create(
        [MeetingNotice(meeting=meeting, recipient=user, kind=kind, key=key) for user in recipients(meeting)],
        ignore_conflicts=True,
    )
    return list(
        MeetingNotice.objects.filter(meeting=meeting, kind=kind, key=key, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def enqueue_now(notice_ids) -> int:
    """Hand notices to the workers. A broker that is down must not break the request that published
    or invited (its work is committed): the rows stay unsent and `recover_notices` (beat) queues them
    again. Returns how many were queued."""
    from meetings.tasks import send_meeting_notice

    queued = 0
    for notice_id in notice_ids:
        try:
            send_meeting_notice.apply_async((notice_id,), retry=False)
        except Exception as exc:  # kombu raises several types; all mean "not queued now"
            logger.warning("Could not enqueue meeting notice %s (%s); the recovery pass will", notice_id, exc)
            break  # the broker is down: the others would wait for the same refusal
        queued += 1
    return queued


def _enqueue(notice_ids: list[int]) -> None:
    if notice_ids:
        transaction.on_commit(lambda: enqueue_now(list(notice_ids)))


# A notice still unsent this long after it was planned was not queued (broker down) or its worker died.
RECOVER_AFTER = datetime.timedelta(minutes=5)
# Older ones are no longer news: an invitation to last month's meeting is not sent.
RECOVER_WITHIN = datetime.timedelta(days=2)


def recover_notices(*, now=None) -> int:
    """Beat: queue again the notices left unsent. Sending claims the row, so a notice queued twice
    is still sent once."""
    now = now or timezone.now()
    left = MeetingNotice.objects.filter(
        sent_at__isnull=True, created_at__lte=now - RECOVER_AFTER, created_at__gte=now - RECOVER_WITHIN
    ).values_list("pk", flat=True)
    return enqueue_now(list(left))


def enqueue_published(version: MeetingVersion) -> list[int]:
    ids = _plan(version.meeting, MeetingNotice.Kind.PUBLISHED, f"v{version.number}")
    _enqueue(ids)
    return ids


def enqueue_invitation(meeting: Meeting) -> list[int]:
    """Invite the attendance list; rescheduling the meeting and inviting again sends a new one."""
    ids = _plan(meeting, MeetingNotice.Kind.INVITATION, meeting.starts_at.isoformat()[:40])
    _enqueue(ids)
    return ids


def build_message(notice: MeetingNotice) -> EmailMultiAlternatives:
    meeting = Meeting.objects.with_people().get(pk=notice.meeting_id)
    recipient = notice.recipient
    access = policy.access(recipient, meeting)
    full = access.can_see_confidential
    # Confidential content never travels by e-mail: a 机密 meeting's e-mail has no agenda or decisions
    # at all, and other meetings leave out their confidential items for those without access.
    agenda = policy.visible_agenda_items(meeting.agenda_items.order_by("day", "order", "pk"), full=full)
    decisions = policy.visible_decisions(meeting.decisions.order_by("number"), full=full)
    context = {
        "meeting": meeting,
        "recipient": recipient,
        "url": settings.SITE_URL + meeting.get_absolute_url(),
        "agenda": [] if meeting.is_confidential else list(agenda),
        "decisions": [] if meeting.is_confidential else list(decisions),
        "version": None,
    }
    if notice.kind == MeetingNotice.Kind.PUBLISHED:
        context["version"] = meeting.versions.filter(number=int(notice.key.lstrip("v"))).first()
    name = "meeting_published" if notice.kind == MeetingNotice.Kind.PUBLISHED else "meeting_invitation"
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject.txt", context).strip()
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            to=[recipient.email],
            headers={"Message-ID": stable_message_id("meeting-notice", notice.pk)},
        )
        message.attach_alternative(html, "text/html")
        if notice.kind == MeetingNotice.Kind.INVITATION:
            ics = calendar.meeting_ics(meeting, full=full and not meeting.is_confidential, method="REQUEST")
            message.attach("meeting.ics", ics, "text/calendar; charset=utf-8; method=REQUEST")
    return message


def send_notice(notice_id: int) -> bool:
    """Send one planned e-mail; False when it was already sent. Claims the row so two workers cannot
    both send it."""
    with transaction.atomic():
        notice = (
            MeetingNotice.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notice_id, sent_at__isnull=True)
            .first()
        )
        if notice is None:
            return False
        build_message(notice).send()
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
    return True
