"""E-mails about meetings: the invitation (with the .ics attached) and "纪要已发布".

Each e-mail is a MeetingNotice row of the outbox (config/outbox.py), written with a unique key in the
transaction that invites or publishes, and sent by a Celery task after the transaction commits; the
outbox sweep queues what was left behind. At send time a notice that is no longer current (the minutes
were reopened, the meeting moved) is dropped. Recipients read it in their own language, and only what the
policy lets them see: a confidential meeting's e-mail names the meeting and links to it, nothing more.
"""

import datetime
import logging

from celery import signature
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config import outbox
from config.mail import is_permanent, stable_message_id
from meetings import calendar, policy
from meetings.models import Meeting, MeetingNotice, MeetingVersion, User

# meetings.tasks runs this module's sending; this module queues it by name, never importing the tasks.
SEND_NOTICE = "meetings.tasks.send_meeting_notice"

logger = logging.getLogger(__name__)


def recipients(meeting: Meeting) -> list[User]:
    """Everyone on the attendance list with an account, an address and an active login."""
    people = {a.user for a in meeting.attendances.select_related("user") if a.user_id}
    for user in (meeting.chair, meeting.recorder):
        if user is not None:
            people.add(user)
    return sorted((u for u in people if u.is_active and u.email), key=lambda u: u.pk)


def _plan(meeting: Meeting, kind: str, key: str) -> list[int]:
    now = timezone.now()
    # Asked again: what failed or was dropped for this very key (the mail server was fixed, the meeting
    # moved back to this time) is sent again; what was sent is not.
    MeetingNotice.objects.filter(
        meeting=meeting,
        kind=kind,
        key=key,
        state__in=(MeetingNotice.State.FAILED, MeetingNotice.State.DROPPED),
    ).update(state=MeetingNotice.State.PENDING, attempts=0, error="", note="", queued_at=now)
    MeetingNotice.objects.bulk_create(
        [
            MeetingNotice(meeting=meeting, recipient=user, kind=kind, key=key, queued_at=now)
            for user in recipients(meeting)
        ],
        ignore_conflicts=True,
    )
    return list(
        MeetingNotice.objects.filter(meeting=meeting, kind=kind, key=key, state=MeetingNotice.State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def enqueue_now(notice_ids) -> int:
    """Hand notices to the workers. A broker that is down must not break the request that published
    or invited (its work is committed): the rows stay pending and the outbox sweep queues them again.
    Returns how many were queued."""
    return outbox.enqueue(signature(SEND_NOTICE), [(pk,) for pk in notice_ids])


def _enqueue(notice_ids: list[int]) -> None:
    if notice_ids:
        transaction.on_commit(lambda: enqueue_now(list(notice_ids)))


# Older ones are no longer news: an invitation to last month's meeting is not sent.
RECOVER_WITHIN = datetime.timedelta(days=2)


def recover_notices(now=None) -> int:
    """The outbox sweep's share: queue again the notices left behind, i.e. pending for longer than
    OUTBOX_CLAIM_TIMEOUT (never queued, or their retry was lost) or claimed that long ago by a worker
    that died. Sending claims the row, so a notice queued twice is still sent once."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    left = MeetingNotice.objects.filter(
        Q(state=MeetingNotice.State.PENDING, queued_at__lt=cutoff)
        | Q(state=MeetingNotice.State.PENDING, queued_at__isnull=True)
        | Q(state=MeetingNotice.State.SENDING, claimed_at__lt=cutoff),
        created_at__gte=now - RECOVER_WITHIN,
    )
    with transaction.atomic():
        # Too old to be news: recorded as dropped rather than left 待发送 for ever.
        MeetingNotice.objects.filter(
            state__in=(MeetingNotice.State.PENDING, MeetingNotice.State.SENDING),
            created_at__lt=now - RECOVER_WITHIN,
        ).update(state=MeetingNotice.State.DROPPED, note=_("两天内未能发送,不再发送"))
        ids = list(left.order_by("pk").values_list("pk", flat=True))
        # Only a claim that is still stale now: a worker may have claimed a row since the select.
        MeetingNotice.objects.filter(
            pk__in=ids, state=MeetingNotice.State.SENDING, claimed_at__lt=cutoff
        ).update(state=MeetingNotice.State.PENDING)
        ids = list(
            MeetingNotice.objects.filter(pk__in=ids, state=MeetingNotice.State.PENDING).values_list(
                "pk", flat=True
            )
        )
        MeetingNotice.objects.filter(pk__in=ids).update(queued_at=now)
    enqueue_now(ids)
    return len(ids)


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


def _invited_for(notice: MeetingNotice) -> datetime.datetime | None:
    """The start time an invitation was written for (its key), as an instant."""
    try:
        return datetime.datetime.fromisoformat(notice.key)
    except ValueError:
        return None


def no_longer_current(notice: MeetingNotice) -> str:
    """Why the notice should not go out any more ("" when it should): the minutes it announces were
    reopened or published again since, the meeting moved, or the recipient left."""
    if not notice.recipient.is_active or not notice.recipient.email:
        return _("收件人已停用或没有电子邮箱")
    meeting = notice.meeting
    if notice.kind == MeetingNotice.Kind.PUBLISHED:
        if meeting.status != Meeting.Status.PUBLISHED:
            return _("纪要已重新打开,不再发送发布通知")
        latest = meeting.versions.order_by("-number").values_list("number", flat=True).first()
        if f"v{latest}" != notice.key:
            return _("纪要已再次发布(第%(number)s版),本通知作废") % {"number": latest}
    elif notice.kind == MeetingNotice.Kind.INVITATION:
        if meeting.starts_at is None or _invited_for(notice) != meeting.starts_at:
            return _("会议时间已变更,本通知作废")
        ended = meeting.ends_at or meeting.starts_at
        if notice.created_at < meeting.starts_at and ended <= timezone.now():
            # Held back (an outage) until the meeting was over; asked for after the fact, it goes out.
            return _("会议已经结束,不再发送会议通知")
    return ""


def claim(notice_id: int) -> bool:
    """pending → sending, atomically: of two workers holding the same ID only one gets True."""
    return bool(
        MeetingNotice.objects.filter(pk=notice_id, state=MeetingNotice.State.PENDING).update(
            state=MeetingNotice.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def send_notice(notice_id: int) -> bool:
    """Send one notice: claim it, check it is still current, send, record. Returns True when this call
    sent it; False when another worker has it, it was sent already or it was dropped. An error leaves
    the row pending again and is raised for the task to retry; the e-mail keeps its Message-ID, so a
    resend after a crash between the server's acceptance and the record is recognisably the same."""
    if not claim(notice_id):
        return False
    notice = MeetingNotice.objects.select_related("recipient", "meeting").get(pk=notice_id)
    claimed = MeetingNotice.objects.filter(pk=notice_id, state=MeetingNotice.State.SENDING)
    reason = no_longer_current(notice)
    if reason:
        claimed.update(state=MeetingNotice.State.DROPPED, note=reason[:500])
        logger.info("Meeting notice %s dropped: %s", notice_id, reason)
        return False
    try:
        build_message(notice).send()
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if is_permanent(exc):  # the server refuses the address or the message: retrying cannot help
            claimed.update(state=MeetingNotice.State.FAILED, error=error)
            logger.warning("Meeting notice %s refused for good: %s", notice_id, error)
            return False
        claimed.update(state=MeetingNotice.State.PENDING, error=error)
        raise
    claimed.update(state=MeetingNotice.State.SENT, sent_at=timezone.now(), error="")
    return True


def retry_at(notice_id: int, when: datetime.datetime) -> None:
    """The task retries the notice then; the sweep leaves it alone until long after."""
    MeetingNotice.objects.filter(pk=notice_id, state=MeetingNotice.State.PENDING).update(queued_at=when)


def fail_notice(notice_id: int, error: str) -> None:
    """The task gave up retrying."""
    MeetingNotice.objects.filter(pk=notice_id, state=MeetingNotice.State.PENDING).update(
        state=MeetingNotice.State.FAILED, error=error[:2000]
    )
