"""Group chat robots as a reminder channel: sending their deliveries, testing and managing them.

A reminder's send writes its robot deliveries (actions.reminders.sending.reminder_fan_out: one row per
reminder and channel, with a unique key) and queues a drain of each channel. `robot_channel_drain`
sends one channel at a time: it takes a slot from the rate limiter shared by all workers, and posts
every pending delivery of that robot as ONE message, so a burst of reminders is batched under the
platform's limit instead of being refused by it.
"""

import dataclasses
import datetime
import hashlib
import logging

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import DeliveryState, Reminder, RobotChannel, RobotDelivery
from actions.ratelimit import limiter_for
from actions.reminders import sending
from actions.reminders.messages import message_day
from actions.reminders.rules import outdated
from actions.robots import RobotMessage, RobotRejected, TransientRobotError
from meetings.templatetags.minutes import enumeration, long_date

logger = logging.getLogger(__name__)

# One message lists at most this many items; more wait for the next slot.
BATCH_MAX = 50


def _stale_cutoff(now=None) -> datetime.datetime:
    """A delivery claimed before this by a worker that never finished it is claimed again."""
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)


def channels_with_pending(now=None) -> list[int]:
    """Robots with deliveries waiting, or claimed by a worker that died: what a recovery pass queues."""
    stale = _stale_cutoff(now)
    return list(
        RobotDelivery.objects.filter(
            Q(state=DeliveryState.PENDING) | Q(state=DeliveryState.SENDING, claimed_at__lt=stale)
        )
        .values_list("channel_id", flat=True)
        .distinct()
        .order_by("channel_id")
    )


def recover(now) -> int:
    """The outbox sweep's share: a drain for every robot with deliveries left behind (broker down when
    they were written, or a worker killed while sending). Draining twice is harmless."""
    return sending.drain_now(channels_with_pending(now))


def no_longer_current(reminder: Reminder) -> bool:
    """A delivery that waited (rate limit, outage) goes out only while its reminder still says the
    truth, on the recipient's day as for the e-mail: the item open and still due on the date the
    reminder was planned against, an "upcoming" reminder still ahead of that date."""
    action = reminder.action
    if action is None or not action.is_open:
        return True
    if reminder.due_date is not None and action.due_date != reminder.due_date:
        return True  # re-dated since: the reminder planned against the new date speaks for it
    return outdated(reminder.kind, action.due_date, reminder.slot, message_day(reminder))


def _limiter(channel: RobotChannel):
    # The platform limits the robot, i.e. the webhook, whichever of our rows points at it.
    return limiter_for(channel.platform, hashlib.sha256(channel.webhook_url.encode()).hexdigest()[:16])


def _due_text(action) -> str:
    if action.due_date is None:
        return action.deadline_text or _("未定")
    return long_date(action.due_date)


def robot_message_for(reminders: list[Reminder]) -> RobotMessage:
    """One reminder: its item, owners and deadline with a link. Several: one line per item, each with
    its own link. Reminders of one item to several owners share a line, naming them all."""
    site = settings.SITE_URL
    with translation.override(settings.LANGUAGE_CODE):
        if len(reminders) == 1:
            reminder = reminders[0]
            action = reminder.action
            lines = [
                _("提醒对象:%(name)s") % {"name": reminder.recipient.name},
                _("完成时限:%(due)s") % {"due": _due_text(action)},
            ]
            if action.meeting_id:
                lines.append(_("来源会议:%(meeting)s") % {"meeting": action.meeting.title})
            lines.append(_("当前进度:%(progress)s%%") % {"progress": action.progress})
            return RobotMessage(
                title=_("【%(kind)s】%(title)s")
                % {"kind": reminder.get_kind_display(), "title": action.title},
                lines=tuple(lines),
                url=site + action.get_absolute_url(),
                link_text=_("查看详情"),
            )
        grouped: dict[tuple[int, str], list[Reminder]] = {}
        for reminder in reminders:
            grouped.setdefault((reminder.action_id, reminder.kind), []).append(reminder)
        items = []
        for group in grouped.values():
            action = group[0].action
            names = enumeration(dict.fromkeys(r.recipient.name for r in group))
            text = _("【%(kind)s】%(title)s(%(names)s,时限 %(due)s)") % {
                "kind": group[0].get_kind_display(),
                "title": action.title,
                "names": names,
                "due": _due_text(action),
            }
            items.append((text, site + action.get_absolute_url()))
        title = ngettext("行动项提醒:共 %(count)d 项", "行动项提醒:共 %(count)d 项", len(items)) % {
            "count": len(items)
        }
        return RobotMessage(title=title, lines=(), items=tuple(items))


@dataclasses.dataclass
class DrainResult:
    sent: int = 0  # deliveries that went out (in one message)
    failed: int = 0  # deliveries the platform refused, or that ran out of retries
    retry_in: float | None = None  # set when the task should run again after this many seconds
    transient: bool = False  # the robot failed in a way worth retrying (5xx, timeout, unreachable)
    error: str = ""


def _pending(channel_id: int):
    stale = _stale_cutoff()
    return RobotDelivery.objects.filter(
        Q(state=DeliveryState.PENDING) | Q(state=DeliveryState.SENDING, claimed_at__lt=stale),
        channel_id=channel_id,
    )


def robot_channel_drain(*, channel_id: int, final_attempt: bool = False) -> DrainResult:
    """Send the pending deliveries of one robot as one message, if the rate limit allows it now."""
    channel = RobotChannel.objects.filter(pk=channel_id).first()
    if channel is None or not _pending(channel_id).exists():
        return DrainResult()
    if not channel.enabled:
        failed = _pending(channel_id).update(state=DeliveryState.FAILED, error=_("机器人已停用,未发送。"))
        return DrainResult(failed=failed)
    try:
        wait = _limiter(channel).try_acquire()
    except redis.RedisError:
        # Without the shared limiter we cannot know the robot has room; wait for Redis rather than risk
        # the platform refusing messages.
        return DrainResult(retry_in=30, error="rate limiter unavailable")
    if wait > 0:
        return DrainResult(retry_in=wait)

    with transaction.atomic():
        ids = list(
            _pending(channel_id)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_MAX]
        )
        RobotDelivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    if not ids:
        return DrainResult()  # another worker took them
    deliveries = RobotDelivery.objects.filter(pk__in=ids).select_related(
        "reminder__action__meeting", "reminder__recipient__reminder_preference"
    )
    reminders, dropped = [], []
    for delivery in deliveries:
        (dropped if no_longer_current(delivery.reminder) else reminders).append(delivery)
    if dropped:
        RobotDelivery.objects.filter(pk__in=[d.pk for d in dropped], state=DeliveryState.SENDING).update(
            state=DeliveryState.DROPPED, error=_("发送时已不再适用(事项已关闭或已到期),未发送。")
        )
    if not reminders:
        # Everything claimed was dropped; more may be waiting behind it.
        return DrainResult(retry_in=0 if _pending(channel_id).exists() else None)
    ids = [d.pk for d in reminders]
    reminders = [d.reminder for d in reminders]
    claimed = RobotDelivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING)
    try:
        channel.robot().send(robot_message_for(reminders))
    except RobotRejected as exc:
        claimed.update(state=DeliveryState.FAILED, error=str(exc)[:2000])
        logger.warning("Robot channel %s refused %d deliveries: %s", channel_id, len(ids), exc)
        return DrainResult(failed=len(ids), error=str(exc))
    except TransientRobotError as exc:
        state = DeliveryState.FAILED if final_attempt else DeliveryState.PENDING
        claimed.update(state=state, error=str(exc)[:2000])
        logger.warning(
            "Robot channel %s unavailable (%s), %d deliveries wait", channel_id, exc.reason, len(ids)
        )
        return DrainResult(
            failed=len(ids) if final_attempt else 0,
            retry_in=None if final_attempt else exc.retry_after,
            transient=not final_attempt,
            error=str(exc),
        )
    claimed.update(state=DeliveryState.SENT, sent_at=timezone.now(), error="")
    result = DrainResult(sent=len(ids))
    if _pending(channel_id).exists():
        result.retry_in = 0  # more arrived meanwhile, or more than one batch
    return result


@dataclasses.dataclass
class TestResult:
    ok: bool
    message: str


def robot_channel_test(*, channel: RobotChannel, by) -> TestResult:
    """Post a test message now and say, in the user's language, what the platform answered."""
    try:
        wait = _limiter(channel).try_acquire()
    except redis.RedisError:
        wait = 0  # one message a person asked for: send it even without the shared limiter
    if wait > 0:
        return TestResult(
            False, _("发送太频繁:该机器人的限额已用完,请 %(seconds)d 秒后再试。") % {"seconds": wait + 1}
        )
    message = RobotMessage(
        title=_("会议纪要:测试消息"),
        lines=(
            _("这是一条测试消息,由 %(name)s 发送。") % {"name": by.name},
            _("收到这条消息,说明行动项提醒可以发到这个群。"),
        ),
        url=settings.SITE_URL + "/",
        link_text=_("打开会议纪要"),
    )
    try:
        answer = channel.robot().send(message)
    except RobotRejected as exc:
        return TestResult(False, _("平台拒绝了消息:%(error)s") % {"error": exc})
    except TransientRobotError as exc:
        text = {
            "timeout": _("连接机器人地址超时,平台没有在规定时间内应答。"),
            "unreachable": _("无法连接机器人地址,请检查地址是否正确、服务器能否访问该地址。"),
            "rate_limited": _("平台限流(HTTP 429),请稍后再试。"),
        }.get(exc.reason, _("平台暂时出错:%(error)s") % {"error": exc})
        return TestResult(False, text)
    shown = answer if isinstance(answer, str) else ", ".join(f"{k}={v}" for k, v in answer.items())
    return TestResult(True, _("发送成功,平台返回:%(answer)s") % {"answer": str(shown)[:300]})


@transaction.atomic
def robot_channel_save(*, channel: RobotChannel, by) -> RobotChannel:
    if channel.pk is None:
        channel.created_by = by
    channel.save()
    logger.info("Robot channel %s (%s) saved by user %s", channel.pk, channel.platform, by.pk)
    return channel


@transaction.atomic
def reminder_resend(*, reminder: Reminder, by) -> bool:
    """Send a failed reminder again: the reminder itself if it failed (its e-mail, then the fan-out), and
    its failed robot deliveries. What was sent already is not sent again. Returns False if nothing failed."""
    resent = reminder.state == Reminder.State.FAILED and sending.reminder_resend(reminder=reminder)
    failed = reminder.robot_deliveries.filter(state=DeliveryState.FAILED)
    channel_ids = sorted(set(failed.values_list("channel_id", flat=True)))
    if channel_ids:
        failed.update(state=DeliveryState.PENDING, claimed_at=None, attempts=0)
        sending.enqueue_drain(channel_ids)
    if resent or channel_ids:
        logger.info("Reminder %s resent by user %s", reminder.pk, by.pk)
        return True
    return False


@transaction.atomic
def robot_channel_delete(*, channel: RobotChannel, by) -> None:
    logger.info("Robot channel %s deleted by user %s", channel.pk, by.pk)
    channel.delete()
