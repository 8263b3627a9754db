"""Changes made from a row of 我的行动项: complete, progress, note (with attachment), new deadline.

With htmx the endpoint answers with the row re-rendered in place; without, with a redirect (success)
or the item page with the form bound (400). Bad input changes nothing and keeps what was typed.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions.forms import ATTACHMENT_MAX_BYTES
from actions.models import DeadlineChange, ProgressEntry, Status
from tests.factories import make_action

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, action):
    return reverse(f"actions:{name}", args=[action.pk])


def later(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# ---- complete


@pytest.mark.django_db
def test_htmx_complete_answers_with_the_row_marked_done(client_for, owner):
    action = make_action(lead=owner, title="提交渠道方案")
    response = client_for(owner).post(url("complete", action), {"note": "已发张总"}, **HTMX)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "actions/_action_row.html"
    assert "<html" not in response.text
    assert f'id="action-{action.pk}"' in response.text
    assert "“提交渠道方案”已标记为完成。" in response.text
    assert 'hx-swap-oob="afterbegin:#completed-list"' in response.text  # also listed under 最近完成
    assert url("complete", action) not in response.text  # no second complete button
    action.refresh_from_db()
    assert action.status == Status.DONE and action.progress == 100


@pytest.mark.django_db
def test_completing_on_my_actions_also_updates_its_counters(client_for, owner):
    today = timezone.localdate()
    late = make_action(lead=owner, title="提交渠道方案", due_date=today - datetime.timedelta(days=3))
    make_action(lead=owner, title="输出竞品简报", due_date=today - datetime.timedelta(days=1))
    client = client_for(owner)
    page = client.get(reverse("actions:my")).text
    assert "已逾期 2" in page and 'id="completed-empty"' in page

    from_page = {**HTMX, "HTTP_HX_CURRENT_URL": "http://testserver" + reverse("actions:my")}
    response = client.post(url("complete", late), **from_page)
    nav = response.text.split('id="group-nav"')[1].split("</nav>")[0]
    assert 'hx-swap-oob="true"' in nav and "已逾期 1" in nav
    # The "nothing completed yet" line is always on the page, so its out-of-band removal has a target.
    assert '<p id="completed-empty" hx-swap-oob="delete">' in response.text
    # From the item's own page there are no counters to update.
    other = make_action(lead=owner, title="官网改版")
    elsewhere = {**HTMX, "HTTP_HX_CURRENT_URL": "http://testserver" + other.get_absolute_url()}
    assert 'id="group-nav"' not in client.post(url("complete", other), **elsewhere).text


@pytest.mark.django_db
def test_completing_a_cancelled_item_shows_why_in_place(client_for, owner, chair, meeting):
    action = make_action(lead=owner, meeting=meeting, status=Status.CANCELLED)
    response = client_for(chair).post(url("complete", action), **HTMX)
    assert response.status_code == 400
    assert "已取消的行动项不能标记为完成。" in response.text
    action.refresh_from_db()
    assert action.status == Status.CANCELLED


# ---- progress


@pytest.mark.django_db
def test_htmx_progress_updates_the_row(client_for, owner):
    action = make_action(lead=owner)
    response = client_for(owner).post(url("progress", action), {"progress": "60", "note": "完成初稿"}, **HTMX)
    assert response.status_code == 200
    assert "进度已更新为 60%。" in response.text
    assert 'style="width: 60%"' in response.text
    assert "最新进展:完成初稿" in response.text
    action.refresh_from_db()
    assert action.progress == 60 and action.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_plain_progress_post_redirects_back_to_the_list_with_a_message(client_for, owner):
    action = make_action(lead=owner)
    client = client_for(owner)
    response = client.post(url("progress", action), {"progress": "30", "next": reverse("actions:my")})
    assert response.status_code == 302 and response["Location"] == reverse("actions:my")
    assert "进度已更新为 30%。" in client.get(reverse("actions:my")).text


@pytest.mark.django_db
def test_next_cannot_send_the_user_off_site(client_for, owner):
    action = make_action(lead=owner)
    response = client_for(owner).post(
        url("progress", action), {"progress": "30", "next": "//evil.example.com/"}
    )
    assert response["Location"] == action.get_absolute_url()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101", "进度应在 0 到 100 之间。"),
        ("-1", "进度应在 0 到 100 之间。"),
        ("八十", "请输入 0 到 100 之间的整数。"),
        ("", "请填写进度(0–100)。"),
    ],
)
def test_bad_progress_is_refused_in_place_and_kept(client_for, owner, value, message):
    action = make_action(lead=owner, progress=20)
    response = client_for(owner).post(
        url("progress", action), {"progress": value, "note": "备注保留"}, **HTMX
    )
    assert response.status_code == 400
    assert message in response.text
    assert f'name="progress" min="0" max="100" step="5" inputmode="numeric" value="{value}"' in response.text
    assert 'value="备注保留"' in response.text
    assert '<details class="row-panel" open>' in response.text  # the form stays open
    action.refresh_from_db()
    assert action.progress == 20
    assert not ProgressEntry.objects.filter(action=action).exists()


@pytest.mark.django_db
def test_bad_progress_without_htmx_shows_the_item_page_with_the_error(client_for, owner):
    action = make_action(lead=owner, title="更新产品手册")
    response = client_for(owner).post(url("progress", action), {"progress": "150"})
    assert response.status_code == 400
    assert "<h1" in response.text and "更新产品手册" in response.text
    assert "进度应在 0 到 100 之间。" in response.text and 'value="150"' in response.text


# ---- note and attachment


@pytest.mark.django_db
def test_note_with_attachment_is_logged_with_the_original_file_name(client_for, owner, media):
    action = make_action(lead=owner)
    upload = SimpleUploadedFile("周报 第3周.docx", b"weekly report")
    response = client_for(owner).post(
        url("note", action), {"note": "已提交周报", "attachment": upload}, **HTMX
    )
    assert response.status_code == 200 and "进展已记录。" in response.text
    entry = ProgressEntry.objects.get(action=action)
    assert entry.note == "已提交周报"
    assert entry.changes == {"attachment": "周报 第3周.docx"}
    assert entry.attachment.read() == b"weekly report"


@pytest.mark.django_db
def test_attachment_over_10_mb_is_refused_with_a_clear_message(client_for, owner, media):
    action = make_action(lead=owner)
    upload = SimpleUploadedFile("现场照片.zip", b"0" * (ATTACHMENT_MAX_BYTES + 1))
    response = client_for(owner).post(
        url("note", action), {"note": "照片见附件", "attachment": upload}, **HTMX
    )
    assert response.status_code == 400
    assert "附件不能超过 10 MB" in response.text
    assert "照片见附件" in response.text
    assert not ProgressEntry.objects.exists()
    assert not list(media.rglob("*.zip"))


@pytest.mark.django_db
def test_empty_note_asks_for_text_or_a_file(client_for, owner):
    action = make_action(lead=owner)
    response = client_for(owner).post(url("note", action), {"note": "   "}, **HTMX)
    assert response.status_code == 400
    assert "请填写进展说明或上传附件。" in response.text
    assert not ProgressEntry.objects.exists()


@pytest.mark.django_db
def test_note_of_100_kb_is_refused_and_kept(client_for, owner):
    action = make_action(lead=owner)
    note = "本周进展顺利。" * 15_000  # 105,000 characters, 315 kB
    response = client_for(owner).post(url("note", action), {"note": note}, **HTMX)
    assert response.status_code == 400
    assert "内容过长" in response.text
    assert note in response.text
    assert not ProgressEntry.objects.exists()
    # No maxlength on the field: a browser would cut a long paste off silently instead.
    form = client_for(owner).get(reverse("actions:detail", args=[action.pk])).text
    assert 'name="note"' in form and "maxlength=" not in form.split('name="note"')[1].split(">")[0]


@pytest.mark.django_db
def test_script_in_a_note_is_shown_as_text(client_for, owner):
    action = make_action(lead=owner)
    payload = '<script>alert("x")</script>'
    response = client_for(owner).post(url("note", action), {"note": payload}, **HTMX)
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.text
    detail = client_for(owner).get(action.get_absolute_url()).text
    assert "<script>alert" not in detail and "&lt;script&gt;" in detail


# ---- new deadline


@pytest.mark.django_db
def test_owner_request_waits_for_approval_and_the_row_says_so(client_for, owner):
    action = make_action(lead=owner, due_date=timezone.localdate() + datetime.timedelta(days=2))
    old_due = action.due_date
    response = client_for(owner).post(
        url("deadline", action), {"new_due_date": later(20), "reason": "供应商延期交货"}, **HTMX
    )
    assert response.status_code == 200
    assert "已提交延期申请" in response.text and "延期待审批" in response.text
    assert url("deadline", action) not in response.text  # no second request while one waits
    change = DeadlineChange.objects.get(action=action)
    assert change.state == DeadlineChange.State.PENDING and change.reason == "供应商延期交货"
    action.refresh_from_db()
    assert action.due_date == old_due


@pytest.mark.django_db
def test_chair_changes_the_deadline_at_once(client_for, owner, chair, meeting):
    action = make_action(lead=owner, meeting=meeting)
    response = client_for(chair).post(
        url("deadline", action), {"new_due_date": later(30), "reason": "范围扩大"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_date.isoformat() == later(30)
    assert DeadlineChange.objects.get(action=action).state == DeadlineChange.State.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new_due_date": later(10), "reason": ""}, "请说明需要调整时限的原因。"),
        ({"new_due_date": later(10), "reason": "   "}, "请说明需要调整时限的原因。"),
        ({"new_due_date": "", "reason": "来不及"}, "请选择新的完成日期。"),
        ({"new_due_date": "1900-01-01", "reason": "来不及"}, "年份应在 2000 到 2100 之间"),
        ({"new_due_date": "9999-12-31", "reason": "来不及"}, "年份应在 2000 到 2100 之间"),
        ({"new_due_date": "2030-02-30", "reason": "来不及"}, "输入一个有效的日期"),
        ({"new_due_date": later(-1), "reason": "来不及"}, "新的完成时限不能早于今天。"),
    ],
)
def test_bad_deadline_request_is_refused_in_place(client_for, owner, data, message):
    action = make_action(lead=owner)
    old_due = action.due_date
    response = client_for(owner).post(url("deadline", action), data, **HTMX)
    assert response.status_code == 400
    assert message in response.text
    if data["reason"].strip():
        assert f'value="{data["reason"]}"' in response.text
    assert not DeadlineChange.objects.exists()
    action.refresh_from_db()
    assert action.due_date == old_due


@pytest.mark.django_db
def test_second_request_while_one_waits_is_refused(client_for, owner):
    action = make_action(lead=owner)
    client = client_for(owner)
    client.post(url("deadline", action), {"new_due_date": later(20), "reason": "第一次"})
    response = client.post(url("deadline", action), {"new_due_date": later(25), "reason": "第二次"}, **HTMX)
    assert response.status_code == 400
    assert "已有一个延期申请在等待审批。" in response.text
    assert DeadlineChange.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["complete", "progress", "note", "deadline"])
def test_changes_need_post(client_for, owner, name):
    action = make_action(lead=owner)
    assert client_for(owner).get(url(name, action)).status_code == 405


@pytest.mark.django_db
def test_unknown_item_is_404(client_for, owner):
    response = client_for(owner).post(reverse("actions:progress", args=[999_999]), {"progress": "10"})
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("progress", {"progress": "50"}, "该事项已取消,不能再更新进度。"),
        ("deadline", {"new_due_date": later(9), "reason": "晚了"}, "该事项已取消,不能修改完成时限。"),
    ],
)
def test_change_to_an_item_cancelled_meanwhile_says_why_on_the_row(client_for, owner, name, data, message):
    action = make_action(lead=owner, status=Status.CANCELLED)
    response = client_for(owner).post(url(name, action), data, **HTMX)
    assert response.status_code == 400
    assert (
        f'<div class="alert alert-danger py-1 px-2 mb-2 small" role="alert">{message}</div>' in response.text
    )
    assert not ProgressEntry.objects.exists() and not DeadlineChange.objects.exists()
