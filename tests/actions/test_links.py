"""Signed one-click links from reminder e-mails: "标记完成" and "更新进度"."""

import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse

from actions import links
from actions.models import ActionItem, ProgressEntry, Reminder, ReminderPreference, Status, UsedLink
from actions.reminders import planning, sending
from tests.factories import UserFactory, make_action

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI)


def link_path(action, user, purpose):
    return urlsplit(links.make_link(action, user, purpose)).path


@pytest.fixture
def action(owner, meeting):
    return make_action(lead=owner, meeting=meeting, title="提交渠道优化方案", due_date=NOW.date())


@pytest.mark.django_db
def test_link_is_an_absolute_url_on_the_site(action, owner, settings):
    settings.SITE_URL = "https://minutes.example.cn"
    url = links.make_link(action, owner, links.COMPLETE)
    assert url.startswith("https://minutes.example.cn/actions/link/")
    intent = links.read_link(url.rsplit("/", 2)[1])
    assert (intent.action_id, intent.user_id, intent.purpose) == (action.pk, owner.pk, "complete")


@pytest.mark.django_db
def test_each_link_is_different_so_using_one_leaves_the_others(action, owner):
    first, second = (links.make_link(action, owner, links.COMPLETE) for _ in range(2))
    assert first != second


@pytest.mark.django_db
def test_opening_a_complete_link_shows_the_item_and_changes_nothing(client_for, action, owner):
    response = client_for(owner).get(link_path(action, owner, links.COMPLETE))
    assert response.status_code == 200
    text = response.text
    assert "提交渠道优化方案" in text and "市场部第12次周例会" in text
    assert "2026年3月16日" in text and "未开始 · 0%" in text
    assert "确认完成" in text and 'name="progress"' not in text
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED
    assert not UsedLink.objects.exists() and not ProgressEntry.objects.exists()


@pytest.mark.django_db
def test_owner_marks_done_from_the_link(client_for, action, owner):
    response = client_for(owner).post(link_path(action, owner, links.COMPLETE), {"note": "方案已提交张总"})
    assert response.status_code == 200
    assert "已标记为完成" in response.text
    assert f'href="{reverse("actions:my")}"' in response.text
    action.refresh_from_db()
    assert action.status == Status.DONE and action.completed_by == owner
    assert ProgressEntry.objects.get(action=action).note == "方案已提交张总"
    assert UsedLink.objects.count() == 1


@pytest.mark.django_db
def test_opening_a_progress_link_offers_the_current_progress(client_for, action, owner):
    action.progress = 40
    action.save()
    response = client_for(owner).get(link_path(action, owner, links.PROGRESS))
    assert 'name="progress" id="id_progress" value="40"' in response.text
    assert "确认更新进度" in response.text
    # The item page's form, in the link page's own words.
    assert ">当前进度(%)</label>" in response.text and ">进展说明(可选)</label>" in response.text


@pytest.mark.django_db
def test_owner_updates_progress_from_the_link(client_for, action, owner):
    response = client_for(owner).post(
        link_path(action, owner, links.PROGRESS), {"progress": "60", "note": "初稿已完成"}
    )
    assert "进度已更新为 60%" in response.text
    action.refresh_from_db()
    assert action.progress == 60 and action.status == Status.IN_PROGRESS
    assert ProgressEntry.objects.get(action=action).note == "初稿已完成"


@pytest.mark.django_db
def test_progress_out_of_range_is_refused_and_what_was_typed_stays(client_for, action, owner):
    path = link_path(action, owner, links.PROGRESS)
    response = client_for(owner).post(path, {"progress": "150", "note": "<b>说明</b>"})
    assert response.status_code == 400
    assert "进度应在 0 到 100 之间" in response.text
    assert 'value="150"' in response.text and "&lt;b&gt;说明&lt;/b&gt;" in response.text
    action.refresh_from_db()
    assert action.progress == 0 and not UsedLink.objects.exists()
    # The link was not spent by the mistake.
    assert client_for(owner).post(path, {"progress": "50"}).status_code == 200


@pytest.mark.django_db
def test_a_progress_link_cannot_complete_the_item(client_for, action, owner):
    response = client_for(owner).post(
        link_path(action, owner, links.PROGRESS), {"purpose": "complete", "status": "done"}
    )
    assert response.status_code == 400 and "请填写进度" in response.text
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_a_token_signed_for_another_purpose_is_invalid(client_for, action, owner):
    token = signing.dumps([action.pk, owner.pk, "cancel", "n"], salt=links.SALT)
    response = client_for(owner).post(reverse("actions:link", args=[token]))
    assert response.status_code == 400 and "无效链接" in response.text
    other_salt = signing.dumps([action.pk, owner.pk, links.COMPLETE, "n"])
    assert client_for(owner).get(reverse("actions:link", args=[other_salt])).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["signature", "payload"])
def test_tampered_link_is_invalid_and_changes_nothing(client_for, action, owner, where):
    token = links.make_token(action, owner, links.COMPLETE)
    if where == "signature":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    else:
        other = make_action(lead=owner)
        token = links.make_token(other, owner, links.COMPLETE).split(":")[0] + ":" + token.split(":", 1)[1]
    response = client_for(owner).post(reverse("actions:link", args=[token]))
    assert response.status_code == 400
    assert "无效链接" in response.text
    assert not ActionItem.objects.filter(status=Status.DONE).exists()


@pytest.mark.django_db
def test_link_still_works_after_thirteen_days(client_for, action, owner):
    with time_machine.travel(NOW):
        path = link_path(action, owner, links.COMPLETE)
    with time_machine.travel(NOW + datetime.timedelta(days=13)):
        assert client_for(owner).post(path).status_code == 200
    action.refresh_from_db()
    assert action.status == Status.DONE


@pytest.mark.django_db
def test_expired_link_points_to_the_item_and_changes_nothing(client_for, action, owner):
    with time_machine.travel(NOW):
        path = link_path(action, owner, links.COMPLETE)
    with time_machine.travel(NOW + datetime.timedelta(days=15)):
        client = client_for(owner)
        response = client.get(path)
        assert response.status_code == 410
        assert "链接已过期,请在系统中直接操作" in response.text
        assert f'href="{action.get_absolute_url()}"' in response.text
        assert client.post(path).status_code == 410
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_link_works_only_once(client_for, action, owner):
    path = link_path(action, owner, links.PROGRESS)
    client = client_for(owner)
    assert client.post(path, {"progress": "30"}).status_code == 200
    again = client.post(path, {"progress": "90"})
    assert again.status_code == 410 and "此链接已使用过" in again.text
    assert "此链接已使用过" in client.get(path).text
    action.refresh_from_db()
    assert action.progress == 30


@pytest.mark.django_db
def test_two_requests_racing_with_one_link_spend_it_once(action, owner):
    intent = links.read_link(links.make_token(action, owner, links.PROGRESS))
    links.link_use(intent=intent, action=action, by=owner, progress=30)
    with pytest.raises(links.LinkUsed):
        links.link_use(intent=intent, action=action, by=owner, progress=90)
    action.refresh_from_db()
    assert action.progress == 30


@pytest.mark.django_db
def test_link_of_another_user_does_not_act(client_for, action, owner, chair):
    # The chair could complete the item, but this link was sent to the owner.
    path = link_path(action, owner, links.COMPLETE)
    client = client_for(chair)
    response = client.get(path)
    assert response.status_code == 403 and "此链接属于其他用户" in response.text
    assert "张伟" in response.text and "退出并切换账号" in response.text
    # Switching account comes back to the link, for the right person to log in.
    assert f'name="next" value="{path}"' in response.text
    assert client.post(path).status_code == 403
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED and not UsedLink.objects.exists()


@pytest.mark.django_db
def test_link_to_a_deleted_item_says_it_is_gone(client_for, action, owner):
    path = link_path(action, owner, links.COMPLETE)
    action.delete()
    response = client_for(owner).post(path)
    assert response.status_code == 404 and "行动项不存在" in response.text


@pytest.mark.django_db
def test_owner_removed_from_the_item_gets_404(client_for, action, owner):
    path = link_path(action, owner, links.PROGRESS)
    action.owners.all().delete()
    action.meeting = None
    action.save()
    assert client_for(owner).get(path).status_code == 404


@pytest.mark.django_db
def test_link_for_an_item_done_meanwhile_says_nothing_is_left_to_do(client_for, action, owner):
    path = link_path(action, owner, links.COMPLETE)
    client = client_for(owner)
    client.post(reverse("actions:complete", args=[action.pk]))
    response = client.get(path)
    assert "该事项已经标记为完成,无需再次操作" in response.text
    assert client.post(path).status_code == 409
    assert not UsedLink.objects.exists()


@pytest.mark.django_db
def test_expired_session_logs_in_and_comes_back_to_the_link(client, action, owner):
    path = link_path(action, owner, links.COMPLETE)
    response = client.get(path)
    assert response.status_code == 302
    login = urlsplit(response["Location"])
    assert login.path == reverse("login")
    next_url = parse_qs(login.query)["next"][0]
    assert next_url == path
    response = client.post(
        reverse("login"), {"username": "wangfang", "password": "pass-1234", "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == path
    assert "确认完成" in client.get(path).text


@pytest.mark.django_db
def test_anonymous_post_does_not_act(client, action, owner):
    assert client.post(link_path(action, owner, links.COMPLETE)).status_code == 302
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


@pytest.mark.django_db
def test_support_owner_cannot_complete_by_link(client_for, meeting, owner):
    helper = UserFactory(name="李明")
    action = make_action(lead=owner, supports=[helper], meeting=meeting)
    path = link_path(action, helper, links.COMPLETE)
    client = client_for(helper)
    assert client.get(path).status_code == 403
    response = client.post(path)
    assert response.status_code == 403 and "只有牵头人" in response.text
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED and not UsedLink.objects.exists()


@pytest.mark.django_db
def test_support_owner_can_update_progress_by_link(client_for, meeting, owner):
    helper = UserFactory(name="李明")
    action = make_action(lead=owner, supports=[helper], meeting=meeting)
    client_for(helper).post(link_path(action, helper, links.PROGRESS), {"progress": "20"})
    action.refresh_from_db()
    assert action.progress == 20


@pytest.mark.django_db
def test_item_title_is_escaped_on_the_confirmation_page(client_for, owner):
    action = make_action(lead=owner, title="<script>alert(1)</script>")
    text = client_for(owner).get(link_path(action, owner, links.COMPLETE)).text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text


# The reminder e-mail carries the links, signed for its recipient.

TODAY = datetime.date(2026, 3, 16)
# The planning pass at 09:30 in Beijing that day: items due tomorrow get their day-before reminder.
PLANNING = datetime.datetime.combine(TODAY, datetime.time(9, 30), tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def at_planning():
    """The mail is sent, and its links read, in the same pass: texts and links are made at send time."""
    with time_machine.travel(PLANNING, tick=False):
        yield


def _reminder_mail(recipient):
    planned = planning.plan(now=PLANNING, enqueue=False).new_ids
    reminder = Reminder.objects.get(pk__in=planned, recipient=recipient, action__isnull=False)
    sending.send_reminder(reminder.pk)
    message = mail.outbox[-1]
    return message.body, message.alternatives[0][0]


def _links_in(text: str, label: str) -> list[str]:
    return [line.split(":", 1)[1] for line in text.splitlines() if line.startswith(label + ":")]


@pytest.mark.django_db
@pytest.mark.usefixtures("at_planning")
def test_lead_gets_complete_and_progress_links_signed_for_them(owner, settings):
    settings.SITE_URL = "https://minutes.example.cn"
    action = make_action(lead=owner, title="提交渠道优化方案", due_date=TODAY + datetime.timedelta(days=1))
    text, html = _reminder_mail(owner)
    (complete,) = _links_in(text, "标记完成")
    (progress,) = _links_in(text, "更新进度")
    for url, purpose in ((complete, "complete"), (progress, "progress")):
        assert url.startswith("https://minutes.example.cn/actions/link/")
        intent = links.read_link(url.rsplit("/", 2)[1])
        assert (intent.action_id, intent.user_id, intent.purpose) == (action.pk, owner.pk, purpose)
        assert f'href="{url}"' in html
    assert "标记完成</a>" in html and "更新进度</a>" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("at_planning")
def test_support_owner_gets_only_the_progress_link(owner):
    helper = UserFactory(name="李明")
    # Support owners get individual reminders only when they ask for them.
    ReminderPreference.objects.create(user=helper, support_reminders=True)
    make_action(lead=owner, supports=[helper], due_date=TODAY + datetime.timedelta(days=1))
    text, html = _reminder_mail(helper)
    assert _links_in(text, "标记完成") == [] and "标记完成</a>" not in html
    (progress,) = _links_in(text, "更新进度")
    assert links.read_link(progress.rsplit("/", 2)[1]).user_id == helper.pk
    assert "更新进度</a>" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("at_planning")
def test_special_characters_read_as_typed_in_the_text_and_escaped_in_html(owner):
    make_action(lead=owner, title="研发&市场 <联合> 方案", due_date=TODAY + datetime.timedelta(days=1))
    text, html = _reminder_mail(owner)
    assert mail.outbox[-1].subject == "【行动项提醒】明天到期:研发&市场 <联合> 方案"
    assert "“研发&市场 <联合> 方案”" in text
    assert "研发&amp;市场 &lt;联合&gt; 方案" in html
