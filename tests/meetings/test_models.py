import pytest
from django.utils import translation

from meetings import services
from meetings.numerals import chinese_numeral


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (35, "三十五"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1000, "1000"),
    ],
)
def test_chinese_numerals(number, expected):
    assert chinese_numeral(number) == expected


@pytest.mark.django_db
def test_decisions_are_numbered_per_meeting(meeting):
    first = services.decision_add(meeting=meeting, text="同意方案")
    second = services.decision_add(meeting=meeting, text="下周复核")
    assert (first.number, second.number) == (1, 2)
    with translation.override("zh-hans"):
        assert second.label == "决议二"
    with translation.override("en"):
        assert second.label == "Decision 2"


@pytest.mark.django_db
def test_meeting_create_puts_chair_and_recorder_in_attendance(chair, owner, department):
    from django.utils import timezone

    meeting = services.meeting_create(
        by=owner,
        title="季度运营会议",
        starts_at=timezone.now(),
        chair=chair,
        recorder=owner,
        department=department,
    )
    roles = {a.user: a.role for a in meeting.attendances.all()}
    assert roles == {chair: "chair", owner: "recorder"}


@pytest.mark.django_db
def test_agenda_items_are_appended_in_order(meeting):
    a = services.agenda_item_add(meeting=meeting, title="上周工作回顾")
    b = services.agenda_item_add(meeting=meeting, title="本周计划")
    assert a.order < b.order
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["上周工作回顾", "本周计划"]
