"""The minutes editor in Chromium: keyboard-only minute-taking, offline edits, two people editing the same
decision, an expired login, and drag-and-drop reordering. Nothing typed may be lost."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session

from actions.models import ActionItem, DeadlineKind
from meetings.models import AgendaItem, Attendance, Decision, Meeting, SpeakerReport
from tests.browser.conftest import log_in
from tests.factories import AgendaItemFactory, DecisionFactory, DepartmentFactory, MeetingFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def people():
    department = DepartmentFactory(name="市场部")
    chair = UserFactory(username="zhangwei", name="张伟", job_title="市场部经理", department=department)
    department.head = chair
    department.save()
    return {
        "department": department,
        "chair": chair,
        "wang": UserFactory(username="wangfang", name="王芳", job_title="市场专员", department=department),
        "li": UserFactory(username="liming", name="李明", job_title="行政秘书", department=department),
        "zhao": UserFactory(username="zhaolei", name="赵磊", job_title="工程师", department=department),
    }


@pytest.fixture
def meeting(people):
    meeting = MeetingFactory(
        title="市场部第12次周例会",
        chair=people["chair"],
        recorder=people["li"],
        department=people["department"],
        starts_at=datetime.datetime(2026, 3, 3, 14, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2026, 3, 3, 16, 0, tzinfo=SHANGHAI),
    )
    for key, role in (
        ("chair", "chair"),
        ("li", "recorder"),
        ("wang", "participant"),
        ("zhao", "participant"),
    ):
        Attendance.objects.create(meeting=meeting, user=people[key], role=role)
    return meeting


def open_editor(page, meeting):
    page.goto(f"/meetings/{meeting.pk}/minutes/")
    page.locator("#save-status").wait_for()


def wait_saved(page):
    page.wait_for_function(
        "() => document.getElementById('save-status').dataset.state === 'saved'"
        " && Object.keys(window.minutesEditor.pending()).length === 0"
    )


def test_whole_meeting_by_keyboard(page, meeting, people, screenshot):
    page.set_viewport_size(LAPTOP)
    log_in(page, "liming")
    open_editor(page, meeting)
    kb = page.keyboard

    # "?" shows the shortcuts.
    page.locator("h2#h-attendance").click()
    kb.press("?")
    assert page.locator("#help-dialog").is_visible()
    kb.press("Escape")

    # Attendance: focus the first status button of 王芳's row and choose 迟到 with the keyboard.
    row = page.locator(".attendance-row", has_text="王芳")
    row.get_by_role("button", name="迟到").focus()
    kb.press("Enter")
    page.locator(".attendance-row", has_text="赵磊").get_by_role("button", name="请假").focus()
    kb.press("Space")
    page.locator("#add-guest-name").focus()
    kb.type("刘教授")
    kb.press("Tab")
    kb.type("特邀行业专家")
    kb.press("Enter")
    page.get_by_text("刘教授(特邀行业专家)").wait_for()
    assert page.locator("#attendance-counts").inner_text() == "应到 4 人,实到 3 人"

    # Three agenda items: Alt+A, title, Tab to presenter, Tab to minutes, Enter.
    for title, presenter, minutes in (
        ("上周推广进展", "王芳(市场专员)", "20"),
        ("渠道优化方案", "赵磊(工程师)", "30"),
        ("下周工作安排", "", "10"),
    ):
        kb.press("Alt+KeyA")
        kb.type(title)
        kb.press("Tab")
        if presenter:
            kb.type(presenter)
        kb.press("Tab")
        kb.type(minutes)
        kb.press("Enter")
        page.locator(".agenda-item input[data-save$=':title']").and_(
            page.locator(f"[value='{title}']")
        ).wait_for()
    items = list(AgendaItem.objects.filter(meeting=meeting))
    assert [i.title for i in items] == ["上周推广进展", "渠道优化方案", "下周工作安排"]
    assert items[0].presenter == people["wang"] and items[1].planned_minutes == 30

    # Speaker reports under the first two items: focus the item's title, Alt+R, type, Ctrl+Enter.
    for item, speaker, content in (
        (items[0], "王芳(市场专员)", "**本周新增线索 120 条**\n- 抖音渠道占 60%\n- 转化率提升 2 个百分点"),
        (items[1], "外部顾问陈先生", "建议把预算向短视频倾斜。"),
    ):
        page.locator(f"#f-agenda-{item.pk}-title").focus()
        kb.press("Alt+KeyR")
        kb.type(speaker)
        kb.press("Tab")
        kb.type(content)
        kb.press("Control+Enter")
        page.locator(f"#reports-{item.pk} .report-block").first.wait_for()
    assert page.locator(f"#reports-{items[0].pk} .md-preview strong").inner_text() == "本周新增线索 120 条"

    # Two decisions under the second item (问题描述 / 讨论 / 决定), then three action items.
    for problem, text in (
        ("短视频预算不足", "追加短视频预算 5 万元"),
        ("渠道数据口径不一", "统一按周报口径统计"),
    ):
        page.locator(f"#f-agenda-{items[1].pk}-title").focus()
        kb.press("Alt+KeyD")
        kb.type(problem)
        kb.press("Tab")
        kb.type("与会人员讨论后一致同意")
        kb.press("Tab")
        kb.type(text)
        kb.press("Control+Enter")
        page.wait_for_function(
            "t => [...document.querySelectorAll('.decision-block textarea')].some(a => a.value === t)",
            arg=text,
        )
    decisions = list(Decision.objects.filter(meeting=meeting))
    assert [d.number for d in decisions] == [1, 2] and decisions[0].agenda_item == items[1]

    for decision, title, owners, deadline in (
        (decisions[0], "提交短视频投放方案", ["王芳(市场专员)", "市场部(部门)"], "两周内"),
        (decisions[0], "每周汇报投放数据", ["赵磊(工程师)"], "每周五"),
        (decisions[1], "整理统一的数据口径说明", ["李明(行政秘书)"], "下次例会前"),
    ):
        page.locator(f"#f-decision-{decision.pk}-text").focus()
        kb.press("Alt+KeyT")
        kb.type(title)
        kb.press("Tab")
        for owner in owners:
            kb.type(owner)
            kb.press("Enter")
        kb.press("Tab")
        kb.type(deadline)
        page.wait_for_timeout(600)  # the computed date appears under the wording
        kb.press("Control+Enter")
        page.wait_for_function(
            "t => [...document.querySelectorAll('.action-block input')].some(i => i.value === t)", arg=title
        )
    wait_saved(page)
    full = screenshot(page, "editor-keyboard-laptop")
    # What a 13-inch laptop shows while the second item is discussed: the item and its decisions.
    page.locator(f"#f-agenda-{items[1].pk}-title").focus()
    page.evaluate(
        "window.scrollTo({top: document.activeElement.getBoundingClientRect().top + scrollY - 60,"
        " behavior: 'instant'})"
    )
    page.screenshot(path=str(full.with_name("editor-laptop-viewport.png")))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    actions = {a.title: a for a in ActionItem.objects.filter(meeting=meeting)}
    first = actions["提交短视频投放方案"]
    assert first.due_date == datetime.date(2026, 3, 17) and first.deadline_text == "两周内"
    assert {(o.owner_name, o.role) for o in first.owners.select_related("user", "department")} == {
        ("王芳", "lead"),
        ("市场部", "support"),
    }
    assert actions["每周汇报投放数据"].deadline_kind == DeadlineKind.RECURRING
    assert actions["整理统一的数据口径说明"].deadline_kind == DeadlineKind.EVENT
    assert set(first.decisions.all()) == {decisions[0]}
    statuses = dict(
        Attendance.objects.filter(meeting=meeting, user__isnull=False).values_list("user__name", "status")
    )
    assert statuses["王芳"] == "late" and statuses["赵磊"] == "excused"
    assert SpeakerReport.objects.get(speaker_name="外部顾问陈先生").agenda_item == items[1]

    page.set_viewport_size(TABLET)
    screenshot(page, "editor-tablet")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_offline_edits_survive_a_reload(page, meeting, people):
    decision = DecisionFactory(meeting=meeting, text="原决定")
    item = AgendaItemFactory(meeting=meeting, title="原议题")
    log_in(page, "liming")
    open_editor(page, meeting)
    page.context.set_offline(True)
    page.locator(f"#f-meeting-{meeting.pk}-location").fill("5楼会议室")
    page.locator(f"#f-agenda-{item.pk}-title").fill("离线修改的议题")
    page.locator(f"#f-decision-{decision.pk}-text").fill("离线写下的决定")
    page.locator(f"#f-meeting-{meeting.pk}-summary").fill("离线写的总结")
    page.wait_for_function("() => document.getElementById('save-status').dataset.state === 'offline'")
    assert page.locator("#save-status").inner_text() == "离线,稍后重试"
    stored = page.evaluate(f"localStorage.getItem('minutes:{meeting.pk}:pending')")
    assert len(json.loads(stored)) == 4

    # Reload while the server still cannot be reached for saves, then come back.
    page.route("**/minutes/save/", lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    banner = page.locator("#restore-banner")
    banner.wait_for()
    assert "4 处" in banner.inner_text()
    page.unroute("**/minutes/save/")
    banner.get_by_role("button", name="恢复并保存").click()
    wait_saved(page)

    meeting.refresh_from_db()
    assert (meeting.location, meeting.summary) == ("5楼会议室", "离线写的总结")
    assert AgendaItem.objects.get(pk=item.pk).title == "离线修改的议题"
    assert Decision.objects.get(pk=decision.pk).text == "离线写下的决定"


def test_two_people_edit_the_same_decision(browser, live_server, meeting, people, screenshot):
    decision = DecisionFactory(meeting=meeting, text="同意方案A")
    pages = []
    for username in ("liming", "zhangwei"):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=LAPTOP)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, username)
        open_editor(page, meeting)
        pages.append(page)
    first, second = pages
    try:
        first.locator(f"#f-decision-{decision.pk}-text").fill("同意方案A,追加预算")
        wait_saved(first)
        second.locator(f"#f-decision-{decision.pk}-text").fill("同意方案B")
        conflict = second.locator(".conflict-box")
        conflict.wait_for()
        assert conflict.locator(".conflict-theirs").inner_text() == "同意方案A,追加预算"
        assert conflict.locator(".conflict-mine").inner_text() == "同意方案B"
        screenshot(second, "editor-conflict")
        assert Decision.objects.get(pk=decision.pk).text == "同意方案A,追加预算"

        conflict.locator(".conflict-merge").fill("同意方案A,追加预算;方案B作为备选")
        conflict.get_by_role("button", name="保存合并结果").click()
        wait_saved(second)
        assert Decision.objects.get(pk=decision.pk).text == "同意方案A,追加预算;方案B作为备选"

        # What one adds, the other sees within a few seconds, without reloading.
        first.locator("#add-agenda-title").fill("临时增加:预算调整")
        first.locator("#add-agenda-title").press("Enter")
        second.locator("#agenda-list input[value='临时增加:预算调整']").wait_for(timeout=10_000)
        assert second.locator("#agenda-list .agenda-item").count() == 1
    finally:
        for page in pages:
            page.context.close()


def test_expired_login_keeps_edits_until_signed_in_again(page, meeting, people, screenshot):
    log_in(page, "liming")
    open_editor(page, meeting)
    Session.objects.all().delete()
    page.locator(f"#f-meeting-{meeting.pk}-summary").fill("登录过期时写下的总结")
    page.locator(f"#f-meeting-{meeting.pk}-location").fill("2楼小会议室")
    banner = page.locator("#login-banner")
    banner.wait_for()
    assert page.locator("#save-status").inner_text() == "登录已过期"
    screenshot(page, "editor-login-expired")
    assert Meeting.objects.get(pk=meeting.pk).summary == ""

    with page.context.expect_page() as new_tab:
        banner.get_by_role("link", name="在新窗口重新登录").click()
    tab = new_tab.value
    tab.get_by_label("登录名").fill("liming")
    tab.get_by_label("密码").fill("pass-1234")
    tab.get_by_role("button", name="登录").click()
    tab.get_by_role("heading", name="已重新登录").wait_for()
    page.bring_to_front()
    wait_saved(page)
    meeting.refresh_from_db()
    assert (meeting.summary, meeting.location) == ("登录过期时写下的总结", "2楼小会议室")


def test_drag_and_drop_reorders_the_agenda(page, meeting, people):
    items = [
        AgendaItemFactory(meeting=meeting, title=t, order=i)
        for i, t in enumerate(("甲议题", "乙议题", "丙议题"))
    ]
    page.set_viewport_size({"width": 1366, "height": 1100})
    log_in(page, "liming")
    open_editor(page, meeting)
    handle = page.locator(f"#agenda-{items[2].pk} .drag-handle")
    target = page.locator(f"#agenda-{items[0].pk} .drag-handle")
    # Instant, not Bootstrap's smooth scrolling, so the boxes below are where the mouse goes.
    target.evaluate(
        "el => window.scrollTo({top: el.getBoundingClientRect().top + scrollY - 120, behavior: 'instant'})"
    )
    start, end = handle.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 5, start["y"] + 5)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(start["x"] + 5, start["y"] + 5 + (end["y"] - start["y"] - 10) * step / 10)
        page.wait_for_timeout(30)
    page.mouse.up()
    wait_saved(page)
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == [
        "丙议题",
        "甲议题",
        "乙议题",
    ]
    assert page.locator(".agenda-number").first.inner_text() == "1."

    # A second day: the item moves under a "第二天" heading, and the day is saved.
    day = page.locator(f"#f-agenda-{items[1].pk}-day")
    day.fill("2")
    day.press("Tab")
    page.locator(".day-header", has_text="第二天").wait_for()
    wait_saved(page)
    assert AgendaItem.objects.get(pk=items[1].pk).day == 2

    # The keyboard moves items too: Alt+↓ on the first item's title.
    page.locator(f"#f-agenda-{items[2].pk}-title").focus()
    page.keyboard.press("Alt+ArrowDown")
    wait_saved(page)
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == [
        "甲议题",
        "丙议题",
        "乙议题",
    ]


def test_people_pickers_take_a_plain_name_and_ask_when_it_is_shared(page, meeting, people):
    """Typing "陈静" and pressing Enter picks 陈静(财务主管), in every person picker. Two people called
    刘洋: the picker says so and keeps what was typed, rather than claiming nobody has that name."""
    chen = UserFactory(name="陈静", job_title="财务主管", department=people["department"])
    UserFactory(name="刘洋", job_title="销售经理")
    UserFactory(name="刘洋", job_title="设计师")
    item = AgendaItemFactory(meeting=meeting, title="预算复核")
    log_in(page, "liming")
    open_editor(page, meeting)
    page.locator("#dl-owners option").first.wait_for(state="attached")
    shared = "有多位“刘洋”,请从列表中选择"

    # 添加参会人员
    person = page.locator("#add-attendee-person")
    person.fill("刘洋")
    person.press("Enter")
    message = page.locator("form[data-add=guest] [data-msg-for=user]")
    message.get_by_text(shared).wait_for()
    assert person.input_value() == "刘洋"
    person.fill("陈静")
    person.press("Enter")
    page.locator(".attendance-row", has_text="陈静").wait_for()
    assert Attendance.objects.filter(meeting=meeting, user=chen).exists()

    # 汇报人, on a new agenda item and on an existing one
    page.locator("#add-agenda-title").fill("费用报销流程")
    presenter = page.locator("#add-agenda-presenter")
    presenter.fill("刘洋")
    presenter.press("Enter")
    page.locator("form[data-add=agenda] [data-msg-for=presenter]").get_by_text(shared).wait_for()
    assert presenter.input_value() == "刘洋" and not AgendaItem.objects.filter(title="费用报销流程").exists()
    presenter.fill("陈静")
    presenter.press("Enter")
    page.locator("#agenda-list input[value='费用报销流程']").wait_for()
    assert AgendaItem.objects.get(title="费用报销流程").presenter == chen

    inline = page.locator(f"#f-agenda-{item.pk}-presenter")
    inline.fill("刘洋")
    inline.press("Enter")
    page.locator(f"[data-msg-for='agenda:{item.pk}:presenter']").get_by_text(shared).wait_for()
    assert inline.input_value() == "刘洋"
    inline.fill("赵磊")
    inline.press("Enter")
    wait_saved(page)
    assert AgendaItem.objects.get(pk=item.pk).presenter == people["zhao"]

    # 责任人: people and departments by name
    form = page.locator("form[data-add=action]").first
    form.locator("input[name=title]").fill("核对三月报销单")
    owner = form.locator("input[data-picker=owner]")
    for name in ("陈静", "市场部"):
        owner.fill(name)
        owner.press("Enter")
    owner.fill("刘洋")
    owner.press("Enter")
    form.locator("[data-msg-for=owners]").get_by_text(shared).wait_for()
    assert owner.input_value() == "刘洋"
    assert form.locator(".owner-chip").count() == 2
    owner.fill("")
    form.locator("input[name=title]").press("Control+Enter")
    page.wait_for_function(
        "t => [...document.querySelectorAll('.action-block input')].some(i => i.value === t)",
        arg="核对三月报销单",
    )
    action = ActionItem.objects.get(title="核对三月报销单")
    assert {(o.owner_name, o.role) for o in action.owners.select_related("user", "department")} == {
        ("陈静", "lead"),
        ("市场部", "support"),
    }
