"""How a history line shows stored values: the reader's words, not codes."""

import datetime

from django.utils import translation

from meetings.history import HistoryLine


def lines(changes: dict) -> list[tuple]:
    line = HistoryLine(
        at=datetime.datetime(2026, 11, 24, tzinfo=datetime.UTC),
        actor=None,
        verb_label="",
        target_label="",
        subject="",
        changes=changes,
        note="",
    )
    return [(str(label), str(before), str(after)) for label, before, after in line.change_lines]


def test_attendance_status_role_and_dates_read_as_words():
    with translation.override("zh-hans"):
        assert lines({"status": ["present", "late"]}) == [("状态", "出席", "迟到")]
        assert lines({"role": ["participant", "observer"]})[0][1:] == ("参会人员", "列席人员")
        [due] = lines({"due_date": ["2026-12-01", "2026-12-15"]})
        assert due[1:] == ("2026年12月1日 (周二)", "2026年12月15日 (周二)")
    with translation.override("en"):
        assert lines({"status": ["present", "late"]})[0][1:] == ("Present", "Late")


def test_values_that_are_not_codes_stay_as_stored():
    with translation.override("zh-hans"):
        [title] = lines({"title": ["旧标题", "新标题"]})
        assert title[1:] == ("旧标题", "新标题")
        [odd] = lines({"deadline_text": ["2026-13-45", ""]})
        assert odd[1] == "2026-13-45"
