"""Demo data for the meeting lifecycle: a weekly 例会 that has run for a month.

Four Monday meetings of 产品部周例会 over the last four weeks. Each one opens with 上次会议行动项回顾,
where the chair, who manages the items carried over, records how each stands (the recorder's right to
change items ends with the minutes they were written in); each is submitted by the recorder and
approved and published by the chair. Everything goes through the same services as the product (series, review,
approval), then timestamps are moved back to the day it would have happened.
"""

import datetime

from django.utils import timezone

from actions import review
from actions.models import ActionItem, ActionOwner, ProgressEntry
from actions.services import action_create
from meetings import lifecycle
from meetings import series as series_rules
from meetings.models import Meeting, MeetingLogEntry, MeetingSeries, MeetingVersion
from meetings.services import decision_add, speaker_report_add

TITLE = "产品部周例会"

# Per week: (report under 各组工作汇报, decision, new action items as (title, lead, days), review updates
# for the items carried over as {title: (status, progress, note)}).
WEEKS = [
    (
        "新版会员中心需求评审完成,进入原型设计;客服工单分类口径需与用户运营部统一。",
        "会员中心改版按“先积分、后权益”两期推进。",
        [("输出会员中心原型(一期)", "huangting", 7), ("与用户运营部统一工单分类口径", "sunhao", 14)],
        {},
    ),
    (
        "会员中心原型已评审,交互细节待定;工单口径已初步对齐。",
        "原型评审意见一周内闭环,下周起进入开发排期。",
        [("整理原型评审意见并闭环", "huangting", 7)],
        {
            "输出会员中心原型(一期)": ("done", None, "原型已完成并通过评审"),
            "与用户运营部统一工单分类口径": ("in_progress", 60, "已对齐一级分类,二级分类待确认"),
        },
    ),
    (
        "会员中心一期进入开发,研发一部已排期;竞品积分规则调研完成。",
        "积分规则采用“消费+活跃”双维度,下周提交规则说明。",
        [("提交积分规则说明文档", "sunhao", 7), ("配合研发一部完成一期接口评审", "huangting", 10)],
        {
            "整理原型评审意见并闭环": ("done", None, "评审意见已全部闭环"),
            "与用户运营部统一工单分类口径": ("in_progress", 90, "二级分类已确认,待发文"),
        },
    ),
    (
        "一期接口评审通过;积分规则说明已提交,待总经理办公室确认。",
        "一期功能冻结,进入测试准备。",
        [("编写一期测试验收清单", "huangting", 7)],
        {
            "与用户运营部统一工单分类口径": ("done", None, "分类口径已发文执行"),
            "提交积分规则说明文档": ("done", None, "规则说明已提交"),
            "配合研发一部完成一期接口评审": ("in_progress", 50, "评审完成,联调中"),
        },
    ),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=series_rules.site_zone())


def backdate(meeting: Meeting, when: datetime.datetime, since: datetime.datetime) -> None:
    """Move what was written just now (log lines, progress entries, versions) to `when`."""
    MeetingLogEntry.objects.filter(meeting=meeting, at__gte=since).update(at=when)
    MeetingVersion.objects.filter(meeting=meeting).update(published_at=when)
    Meeting.objects.filter(pk=meeting.pk).update(
        submitted_at=when, published_at=when, created_at=when - datetime.timedelta(days=3), updated_at=when
    )


def load(*, users: dict, departments: dict, today: datetime.date) -> MeetingSeries:
    chair, recorder = users["sunhao"], users["huangting"]
    mondays = [
        today - datetime.timedelta(days=today.weekday() or 7) - datetime.timedelta(weeks=n)
        for n in range(3, -1, -1)
    ]
    series = series_rules.series_save(
        series=MeetingSeries(
            title=TITLE,
            department=departments["产品部"],
            chair=chair,
            recorder=recorder,
            default_location="产品部小会议室",
            recurrence=MeetingSeries.Recurrence.WEEKLY,
            weekday=0,
            first_date=mondays[0],
            start_time=datetime.time(10, 0),
            duration_minutes=60,
            template_agenda=[
                {"title": "各组工作汇报", "planned_minutes": 30},
                {"title": "问题与协调", "planned_minutes": 20},
            ],
            visibility=Meeting.Visibility.ORGANISATION,
            create_days_ahead=3,
        ),
        participants=[users["zhaolei"], users["lintao"]],
    )
    for day, (report, decision_text, new_items, updates) in zip(mondays, WEEKS, strict=True):
        since = timezone.now()
        meeting, _created = series_rules.series_create_next_meeting(series=series, by=recorder, day=day)
        held = _at(day, 10, 0)
        ended = held + datetime.timedelta(hours=1)
        by_title = {a.title: a for a in review.review_actions(meeting)}
        for title, (status, progress, note) in updates.items():
            action = by_title[title]
            review.review_item_update(
                meeting=meeting, action=action, by=chair, status=status, progress=progress, note=note
            )
            ProgressEntry.objects.filter(action=action, created_at__gte=since).update(created_at=ended)
            # Done at this meeting, not when the demo loads: on time or late as of that day.
            ActionItem.objects.filter(pk=action.pk, completed_at__gte=since).update(
                completed_at=ended, updated_at=ended, completed_on_time=action.was_on_time(ended)
            )
        topic = meeting.agenda_items.get(title="各组工作汇报")
        speaker_report_add(agenda_item=topic, content=report, speaker=recorder, by=recorder)
        decision = decision_add(meeting=meeting, text=decision_text, agenda_item=topic, by=recorder)
        for title, lead, days in new_items:
            action = action_create(
                title=title,
                owners=[(users[lead], ActionOwner.Role.LEAD)],
                by=recorder,
                meeting=meeting,
                decisions=[decision],
                deadline_text="一周内" if days == 7 else f"{days}天内",  # counted from the meeting
            )
            ActionItem.objects.filter(pk=action.pk).update(created_at=ended, updated_at=ended)
            action.progress_entries.update(created_at=ended)
        lifecycle.meeting_start(meeting=meeting, by=recorder)
        lifecycle.meeting_submit(meeting=meeting, by=recorder)
        lifecycle.meeting_publish(meeting=meeting, by=chair, notify=False)
        backdate(meeting, ended + datetime.timedelta(hours=3), since)
    return series
