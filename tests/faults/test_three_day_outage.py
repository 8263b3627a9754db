"""Three days without worker, beat or Redis. The planning passes that ran as Redis failed wrote their
rows but could queue nothing: last Monday's weekly digest, and on the outage's first morning (09:10 in
Beijing, three days ago) "明天到期" for an item due the next day and "3天后到期" for one due three days
later. Then Redis, a worker and beat come back on the real clock.

The promise at send time: a reminder's text is rendered from the recipient's today, not from the day it
was planned; an UPCOMING reminder whose due date is today or past, a DUE_TODAY reminder whose due date
has passed, a reminder superseded by a later slot for the same item and recipient, and a DIGEST for a
past week are dropped: cancelled, with the reason in the row's note. The reminders that do apply today
(2 days overdue, due today) come from the next planning pass, which the test runs once on the real
clock, standing for beat's pass every 10 minutes.

Exercised here: the text rendered from today (subjects, headlines, the digest's date), the UPCOMING
reminders whose due date is now past or today, and last week's digests; the sweep runs before the next
planning pass, as it does when beat comes back. So no e-mail that goes out speaks of a deadline other
than the one the item has, seen from the day it is sent."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from actions.models import ActionItem, Reminder
from actions.reminders import planning
from meetings.templatetags.minutes import long_date
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.faults.conftest import SHANGHAI, SWEEP_SECONDS, shanghai_today, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.integration]

Kind, State = Reminder.Kind, Reminder.State
DAY = datetime.timedelta(days=1)


def at_ten_past_nine(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9, 10), SHANGHAI)


def days_said(text: str) -> int | None:
    """The deadline a reminder's subject or headline speaks of, as days from its today (negative:
    overdue); None when it names none."""
    if match := re.search(r"逾期(\d+)天", text):
        return -int(match[1])
    if match := re.search(r"(\d+)天后", text):
        return int(match[1])
    if "明天" in text:
        return 1
    if "今天" in text:
        return 0
    return None


@pytest.fixture
def team(transactional_db, every_day, settings):
    settings.REMINDERS = {**settings.REMINDERS, "DIGEST_WEEKDAY": 0}  # 每周一汇总
    today = shanghai_today()
    market = DepartmentFactory(name="市场部")
    head = UserFactory(name="张伟", username="zhangwei", email="zhangwei@example.cn", department=market)
    market.head = head
    market.save()
    wangfang = UserFactory(name="王芳", username="wangfang", email="wangfang@example.cn", department=market)
    lina = UserFactory(name="李娜", username="lina", email="lina@example.cn", department=market)
    month_ago = timezone.now() - 30 * DAY
    meeting = MeetingFactory(
        title="市场部第8次周例会",
        chair=head,
        recorder=wangfang,
        department=market,
        starts_at=month_ago,
        ends_at=month_ago + datetime.timedelta(hours=2),
    )
    report = make_action(
        lead=wangfang, meeting=meeting, title="提交华东区渠道费用复盘报告", due_date=today - 2 * DAY
    )
    budget = make_action(lead=lina, meeting=meeting, title="完成2027年度预算初稿", due_date=today)
    make_action(lead=wangfang, meeting=meeting, title="整理客户满意度调查问卷", due_date=today + 7 * DAY)
    # The items come from that meeting, a month ago, and nobody has reported progress since.
    ActionItem.objects.update(created_at=month_ago)
    return today, report, budget, wangfang, lina


def test_after_three_days_down_no_reminder_speaks_of_a_stale_deadline(stack, inbox, team):
    today, report, budget, wangfang, lina = team
    outage = today - 3 * DAY
    last_monday = today - datetime.timedelta(days=today.weekday() + 7)

    # Redis is down (never started) and no worker runs: the passes keep their rows, nothing is queued.
    last_week = planning.plan(now=at_ten_past_nine(last_monday)).new_ids
    digests = Reminder.objects.filter(pk__in=last_week)
    assert sorted(digests.values_list("kind", "recipient__name")) == [
        (Kind.DIGEST, "李娜"),
        (Kind.DIGEST, "王芳"),
    ]
    first_morning = planning.plan(now=at_ten_past_nine(outage)).new_ids
    planned = Reminder.objects.filter(pk__in=first_morning)
    assert sorted(planned.exclude(kind=Kind.DIGEST).values_list("action__title", "kind", "slot")) == [
        ("完成2027年度预算初稿", Kind.UPCOMING, outage),  # 3天后到期, planned for today
        ("提交华东区渠道费用复盘报告", Kind.UPCOMING, outage),  # 明天到期, planned for 2 days ago
    ]
    outage_rows = last_week + first_morning
    assert set(Reminder.objects.values_list("state", flat=True)) == {State.PENDING}

    stack.redis.start()
    stack.start_worker()
    stack.start_beat()
    # Beat's sweep finds the rows nobody queued and hands them to the worker, which sends or drops each.
    settled = wait_until(
        lambda: (
            not Reminder.objects.filter(pk__in=outage_rows, state__in=(State.PENDING, State.SENDING)).exists()
        ),
        timeout=60,
    )
    # The next planning pass, on the real clock (09:10 today if the suite runs before the sending hour).
    now = max(timezone.now(), at_ten_past_nine(today))
    current = planning.plan(now=now).new_ids
    settled = settled and wait_until(
        lambda: not Reminder.objects.filter(state__in=(State.PENDING, State.SENDING)).exists(), timeout=60
    )
    wait_until(lambda: False, timeout=SWEEP_SECONDS + 1)  # a late resend would show up now

    rows = {f"<reminder.{row.pk}@minutes.test>": row for row in Reminder.objects.select_related("action")}
    messages = list(inbox.messages)
    with translation.override("zh-hans"):
        today_text = long_date(today)
    stale = []  # one entry per e-mail whose text is not today's
    for message in messages:
        row = rows[str(message["Message-ID"])]
        subject = str(message["Subject"])
        if row.kind == Kind.DIGEST:
            # The digest is dated, and its groups counted, from the day it is rendered.
            if today_text not in subject:
                stale.append(f"{subject} (digest sent {today_text})")
            continue
        body = message.get_body(("plain",)).get_content()
        headline = next(line for line in body.splitlines() if "行动项“" in line)
        real = (row.action.due_date - today).days
        wrong = [text for text in (subject, headline) if days_said(text) != real]
        if wrong:
            stale.append(" / ".join(wrong) + f" (due {row.action.due_date}, sent {today})")
    past_week = set(last_week)
    should_drop = {
        pk
        for pk, kind, due in Reminder.objects.filter(pk__in=outage_rows).values_list("pk", "kind", "due_date")
        if pk in past_week or (kind == Kind.UPCOMING and due <= today)
    }
    dropped = dict(Reminder.objects.filter(state=State.CANCELLED).exclude(note="").values_list("pk", "note"))
    print(
        f"\nthree-day outage: messages sent {len(messages)}, stale texts {len(stale)}, "
        f"dropped {len(dropped)} (of {len(should_drop)} no longer current); "
        f"rows planned during the outage {len(outage_rows)}, "
        f"by the next pass {len(current)}"
        + "".join(f"\n  stale: {text}" for text in stale)
        + "".join(f"\n  dropped: {pk} {note}" for pk, note in dropped.items())
    )

    assert settled, list(Reminder.objects.values_list("pk", "kind", "state"))
    assert stale == []
    # What no longer applied was dropped, with the reason on the row, and never sent.
    assert should_drop <= set(dropped), list(
        Reminder.objects.filter(pk__in=should_drop).values_list("pk", "kind", "state", "note")
    )
    sent_ids = {str(message["Message-ID"]) for message in messages}
    assert not {f"<reminder.{pk}@minutes.test>" for pk in should_drop} & sent_ids
    # What applies today went out, once, saying what is true today.
    subjects = sorted(str(m["Subject"]) for m in messages if rows[str(m["Message-ID"])].kind != Kind.DIGEST)
    assert subjects == [
        "【行动项提醒】今天到期:完成2027年度预算初稿",
        "【行动项逾期】提交华东区渠道费用复盘报告(逾期2天)",
    ]
    assert len(sent_ids) == len(messages)
