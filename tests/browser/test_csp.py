"""The Content Security Policy in Chromium: the main pages, visited as the demo's people use them, break
no rule of the policy, and their scripts (all files under static/js/, none inline) still do their jobs."""

from io import StringIO

import pytest
from django.core.management import call_command

from meetings.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before the page's own scripts; CSP does not apply to it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
      + ` in ${event.sourceFile}:${event.lineNumber}`
  );
});
window.print = () => { document.documentElement.dataset.printed = "yes"; };
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and console message about the policy collected."""
    violations = []
    page.expose_function("reportCspViolation", lambda text: violations.append(f"{page.url}: {text}"))
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(REPORT_VIOLATIONS)
    page.violations = violations
    return page


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_the_detector_sees_an_inline_script_being_refused(watched):
    """Without this the other test could pass because nothing was listening."""
    page = watched
    page.goto("/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); }"
    )
    page.wait_for_function("() => true")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert any("script-src" in v for v in page.violations), page.violations


def test_main_pages_break_no_csp_rule_and_their_scripts_work(watched, screenshot):
    page = watched
    call_command("load_demo", stdout=StringIO())

    page.goto("/login/")
    assert page.get_by_label("登录名").is_visible()

    # 王芳, an owner: 我的行动项, a panel fetched by htmx, and the language switch (static/js/app.js).
    sign_in(page, "wangfang")
    page.get_by_role("heading", name="我的行动项").wait_for()
    page.locator("details.row-panel summary", has_text="更新进度").first.click()
    page.locator("form[hx-post*='/progress/'], form[action*='/progress/']").first.wait_for()
    page.get_by_label("界面语言").select_option("en")
    page.get_by_role("heading", name="My action items").wait_for()
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("heading", name="我的行动项").wait_for()

    # 李明, the minute-taker: the meeting list, a meeting page and the minutes editor, which saves a
    # field as it is typed (static/js/editor/) and polls for others' additions.
    sign_in(page, "liming")
    page.goto("/meetings/")
    page.get_by_role("heading", name="会议").first.wait_for()
    meeting = (
        Meeting.objects.filter(
            recorder__username="liming", status__in=[Meeting.Status.DRAFT, Meeting.Status.IN_PROGRESS]
        )
        .order_by("-starts_at")
        .first()
    )
    assert meeting is not None, "the demo has a meeting 李明 is still recording"
    page.goto(meeting.get_absolute_url())
    page.locator("#open-editor").click()
    page.locator("#save-status").wait_for()
    with page.expect_response(lambda r: "/minutes/news/" in r.url, timeout=10_000):
        pass  # the htmx poll ran, with the IDs the page knows added by the editor script
    page.locator(f"#f-meeting-{meeting.pk}-summary").fill("本次会议讨论了投放进展,无遗留问题。")
    page.wait_for_function(
        "() => document.getElementById('save-status').dataset.state === 'saved'"
        " && Object.keys(window.minutesEditor.pending()).length === 0"
    )
    meeting.refresh_from_db()
    assert meeting.summary == "本次会议讨论了投放进展,无遗留问题。"
    page.goto(f"/meetings/{meeting.pk}/minutes/signed-in/")
    page.get_by_role("heading", name="已重新登录").wait_for()
    assert page.evaluate("() => localStorage.getItem('minutes:relogin')")  # static/js/editor_relogin.js

    # The print view: the 打印 button (static/js/minutes_print.js).
    page.goto(f"/reports/meetings/{meeting.pk}/print/")
    page.get_by_role("button", name="打印").click()
    page.wait_for_function("() => document.documentElement.dataset.printed === 'yes'")

    # 张伟, head of 市场部: 部门行动项 with 全选 (static/js/department.js), the report form
    # (static/js/period_report.js) and the robots list.
    sign_in(page, "zhangwei")
    page.goto("/actions/department/")
    page.get_by_label("全选本页").check()
    rows = page.locator("input[name=items]")
    assert rows.count() > 1
    assert all(rows.nth(i).is_checked() for i in range(rows.count()))
    screenshot(page, "csp-department")

    page.goto("/reports/period/")
    start = page.locator("[data-for=start]")
    assert start.is_hidden()
    page.locator("select[name=period]").select_option("custom")
    start.wait_for(state="visible")

    page.goto("/actions/robots/")
    page.get_by_role("heading", name="群机器人").wait_for()

    assert page.violations == []
