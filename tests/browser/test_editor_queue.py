"""New blocks wait in the same queue as field saves: a speaker report added while the server cannot be
reached (its first answer lost on the way back, then errors) shows as pending, survives a reload, and is
stored exactly once when the server answers again. After a few failed attempts the badge says that
saving is failing and the text is kept in this browser."""

import datetime
import json
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from meetings.models import Meeting, SpeakerReport
from tests.browser.conftest import log_in
from tests.factories import AgendaItemFactory, MeetingFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
FAILING = "保存失败,内容已保存在本浏览器,恢复后自动重试"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting(people):
    return MeetingFactory(
        title="市场部第12次周例会",
        chair=people["chair"],
        recorder=people["recorder"],
        department=people["department"],
        starts_at=datetime.datetime(2026, 3, 3, 14, 0, tzinfo=SHANGHAI),
    )


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def badge(page):
    return page.locator("#save-status")


def test_a_report_added_while_the_server_fails_is_saved_once_after_a_reload(page, meeting, people, shots):
    item = AgendaItemFactory(meeting=meeting, title="渠道推广进展")
    log_in(page, "chenjing")
    page.goto(f"/meetings/{meeting.pk}/minutes/")
    badge(page).wait_for()

    keys, answers = [], []

    def adds(route):
        keys.append(json.loads(route.request.post_data)["key"])
        if len(keys) == 1:
            # The server stores the report, but its answer never reaches the page.
            answers.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.abort("connectionrefused")

    page.route("**/minutes/add/**", adds)
    page.route("**/minutes/save/", lambda route: route.fulfill(status=500, body="Internal Server Error"))

    page.locator(f"#agenda-{item.pk} details[data-form=report] summary").click()
    page.locator(f"#add-report-speaker-{item.pk}").fill("外部顾问陈先生")
    content = "建议把预算向短视频倾斜。\n- 抖音渠道占 60%"
    page.locator(f"#add-report-content-{item.pk}").fill(content)
    page.locator(f"#add-report-content-{item.pk}").press("Control+Enter")

    pending = page.locator(f"#reports-{item.pk} [data-pending-add]")
    pending.wait_for()
    assert "待保存" in pending.inner_text() and "外部顾问陈先生" in pending.inner_text()
    assert page.locator(f"#add-report-content-{item.pk}").input_value() == ""  # free for the next one
    page.locator(f"#f-meeting-{meeting.pk}-summary").fill("断网时写下的总结")

    # Three failed attempts in a row (1 s, 2 s, 4 s apart): the badge stops saying 保存中….
    page.wait_for_function(
        "t => document.getElementById('save-status').textContent === t", arg=FAILING, timeout=30_000
    )
    assert badge(page).get_attribute("data-state") == "failing"
    page.screenshot(path=str(shots / "editor-saving-failing.png"), full_page=False)
    page.locator(".editor-bar").screenshot(path=str(shots / "editor-saving-failing-bar.png"))
    assert answers == [200] and SpeakerReport.objects.filter(agenda_item=item).count() == 1
    assert len(keys) >= 2 and len(set(keys)) == 1, keys  # every attempt under the same key

    # Reload while the server still cannot be reached: the report is still shown as pending.
    page.reload()
    page.locator(f"#reports-{item.pk} [data-pending-add]").wait_for()
    stored = page.evaluate(f"localStorage.getItem('minutes:{meeting.pk}:pending')")
    assert [e["id"] for e in json.loads(stored).values() if e["kind"] == "add"] == [keys[0]]

    # The network comes back.
    page.unroute("**/minutes/add/**")
    page.unroute("**/minutes/save/")
    page.locator("#restore-banner").get_by_role("button", name="恢复并保存").click()
    page.wait_for_function(
        "() => document.getElementById('save-status').dataset.state === 'saved'"
        " && Object.keys(window.minutesEditor.pending()).length === 0",
        timeout=40_000,
    )
    assert page.locator(f"#reports-{item.pk} [data-pending-add]").count() == 0
    assert page.locator(f"#reports-{item.pk} .report-block").count() == 1
    reports = list(SpeakerReport.objects.filter(agenda_item=item))
    assert [(r.speaker_name, r.content) for r in reports] == [("外部顾问陈先生", content)]
    assert Meeting.objects.get(pk=meeting.pk).summary == "断网时写下的总结"
    page.screenshot(path=str(shots / "editor-saved-after-outage.png"), full_page=False)


def test_a_refused_addition_goes_back_into_its_form(page, meeting, people):
    """Bad input found by the server (here an agenda item without a title) is not queued for ever: the
    text returns to the form with the reason."""
    log_in(page, "chenjing")
    page.goto(f"/meetings/{meeting.pk}/minutes/")
    sent = []
    page.on("request", lambda r: sent.append(r.post_data_json) if "/minutes/add/" in r.url else None)
    page.locator("#add-agenda-minutes").fill("20")
    page.locator("#add-agenda-minutes").press("Enter")
    page.locator("form[data-add=agenda] [data-msg-for=title]").get_by_text("这个字段是必填项").wait_for()
    assert page.locator("#add-agenda-minutes").input_value() == "20"
    assert page.evaluate("Object.keys(window.minutesEditor.pending()).length") == 0
    assert page.locator("[data-pending-add]").count() == 0
    assert len(sent) == 1 and len(sent[0]["key"]) == 36  # sent through the queue, under its key
