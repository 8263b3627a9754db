"""A prefork worker killed in the middle of a morning's reminders: the SMTP server has just accepted the
40th e-mail when the worker and all its children die, before the server's 250 reaches them. A new worker
starts; nobody recovers anything by hand: beat's outbox sweep takes back the dead worker's claims.

Every reminder arrives; a reminder may arrive twice only as the same message (same Message-ID, which
mail servers and clients drop), never as two different ones."""

import datetime
import itertools
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from actions.models import Reminder
from actions.reminders import planning
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action
from tests.faults.conftest import CLAIM_TIMEOUT, SHANGHAI, SWEEP_SECONDS, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.integration]

KILL_AFTER = 40

DEPARTMENTS = {
    "市场部": [("张伟", "zhangwei"), ("王芳", "wangfang"), ("李娜", "lina"), ("刘洋", "liuyang")],
    "研发一部": [("赵磊", "zhaolei"), ("陈静", "chenjing"), ("杨帆", "yangfan"), ("黄敏", "huangmin")],
    "财务部": [("周杰", "zhoujie"), ("吴霞", "wuxia"), ("徐强", "xuqiang")],
    "人力资源部": [("孙丽", "sunli"), ("马超", "machao"), ("朱婷", "zhuting")],
    "信息部": [("胡军", "hujun"), ("郭静", "guojing"), ("何鹏", "hepeng")],
}
REGIONS = ["华东区", "华南区", "华北区", "华中区", "西南区", "西北区", "东北区", "长三角", "珠三角", "京津冀"]
TOPICS = [
    "渠道费用复盘报告",
    "2027年度预算初稿",
    "客户满意度调查分析",
    "供应商资质复审",
    "校园招聘计划",
    "ERP系统上线验收",
    "合同归档整改",
    "安全生产检查整改",
    "新员工培训方案",
    "库存盘点差异说明",
    "应收账款催收方案",
    "门店陈列标准修订",
    "数据备份演练总结",
    "绩效考核细则修订",
    "展会参展方案",
]
# Days from today to the due date: overdue (escalating past 7 days), due today, tomorrow, in 3 days.
DUE_IN = [-15, -8, -7, -4, -2, -1, 0, 0, 1, 1, 3, 3]


@pytest.fixture
def now():
    """After 09:00 in Beijing on the real date (reminders go out from 09:00); the workers use the real
    clock, which is the same day."""
    real = timezone.now()
    local = real.astimezone(SHANGHAI)
    if local.hour < 9:
        return datetime.datetime.combine(local.date(), datetime.time(9, 30), SHANGHAI)
    return real


@pytest.fixture
def organisation(transactional_db, now, every_day, settings):
    """Five departments with their heads, a weekly meeting each, 150 open items with due dates around
    today: about 190 reminders due this morning."""
    today = now.astimezone(SHANGHAI).date()
    # No weekly digest today: the test is about item reminders.
    settings.REMINDERS = {**settings.REMINDERS, "DIGEST_WEEKDAY": (today.weekday() + 1) % 7}
    meetings, members = [], []
    for number, (name, people) in enumerate(DEPARTMENTS.items(), start=1):
        department = DepartmentFactory(name=name)
        users = [
            UserFactory(name=person, username=login, email=f"{login}@example.cn", department=department)
            for person, login in people
        ]
        department.head = users[0]
        department.save()
        meetings.append(
            MeetingFactory(
                title=f"{name}第{number + 10}次周例会",
                chair=users[0],
                recorder=users[1],
                department=department,
            )
        )
        members.append(users)
    titles = (f"{region}{topic}" for topic, region in itertools.product(TOPICS, REGIONS))
    for index, title in enumerate(titles):
        group = index % len(meetings)
        people = members[group]
        lead = people[index % len(people)]
        support = people[(index + 1) % len(people)]
        make_action(
            lead=lead,
            supports=[support] if index % 3 == 0 else (),
            meeting=meetings[group],
            title=title,
            due_date=today + datetime.timedelta(days=DUE_IN[index % len(DUE_IN)]),
        )
    return today


def identity(message) -> tuple[str, str]:
    """What the reader sees as one reminder: to whom, about what (titles are unique, and the subject
    names the kind and the deadline)."""
    return str(message["To"]), str(message["Subject"])


def test_worker_killed_after_the_server_accepted_the_40th_mail(stack, inbox, organisation, now):
    stack.redis.start()
    stack.start_beat()
    first = stack.start_worker(pool="prefork", concurrency=4)
    inbox.kill_after(KILL_AFTER, first)

    planned = planning.plan(now=now).new_ids
    assert len(planned) >= 100, len(planned)
    # Before 09:00 the pass plans for 09:30 (`now`), and stamps its rows queued then; the workers and
    # beat's sweep run on the real clock and would judge the rows the killed worker left pending
    # (taken from the queue, never acknowledged) as queued in the future, never lost. A pass at 09:30
    # would have queued them at the real time: so they are.
    Reminder.objects.filter(pk__in=planned, queued_at__gt=timezone.now()).update(queued_at=timezone.now())
    assert inbox.killed.wait(60), "the worker never reached the 40th e-mail"
    first.wait(10)
    stranded = Reminder.objects.filter(state=Reminder.State.SENDING).count()

    stack.start_worker(pool="prefork", concurrency=4)
    rows = Reminder.objects.filter(recipient__email__gt="")
    expected = {f"<reminder.{pk}@minutes.test>" for pk in rows.values_list("pk", flat=True)}
    assert wait_until(
        lambda: (
            not Reminder.objects.exclude(state=Reminder.State.SENT).exists()
            and len({identity(m) for m in inbox.messages}) >= len(expected)
        ),
        timeout=90,
    ), Counter(Reminder.objects.values_list("state", flat=True))
    # Anything still in flight would be a resend of a row marked sent: give it a sweep to show up.
    wait_until(lambda: False, timeout=SWEEP_SECONDS + 1)

    messages = list(inbox.messages)
    by_id = Counter(str(m["Message-ID"]) for m in messages)
    ids_per_reminder = defaultdict(set)
    for message in messages:
        ids_per_reminder[identity(message)].add(str(message["Message-ID"]))
    distinct_duplicates = sorted(key for key, ids in ids_per_reminder.items() if len(ids) > 1)
    same_id_resends = sum(count - 1 for count in by_id.values())
    taken_back = Reminder.objects.filter(attempts__gt=1).count()
    print(
        f"\nworker killed mid-send: messages sent {len(messages)}, reminders {len(planned)} "
        f"(e-mail {len(expected)}), same-ID resends {same_id_resends}, distinct duplicates "
        f"{len(distinct_duplicates)}; claims stranded by the kill {stranded}, "
        f"rows claimed again {taken_back} "
        f"(sweep every {SWEEP_SECONDS} s, claim timeout {CLAIM_TIMEOUT} s)"
    )

    assert distinct_duplicates == []  # a resend is the same message, never a second identity
    assert set(by_id) == expected  # every reminder's e-mail arrived, and nothing else did
    assert set(Reminder.objects.values_list("state", flat=True)) == {Reminder.State.SENT}
    # The claims the kill left behind were taken back by the sweep, which says so on the row.
    assert taken_back >= stranded > 0
    assert Reminder.objects.filter(note__contains="重新排队").count() >= stranded
    # One e-mail per (item, recipient) planned today: the leads, and the heads and chairs escalated to.
    assert len(ids_per_reminder) == len(planned)
