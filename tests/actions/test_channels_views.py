"""群机器人 settings and 提醒记录 pages: who may see them, forms, secrets, test message, resend."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import DeliveryState, Reminder, RobotChannel, RobotDelivery
from tests.factories import MeetingFactory, UserFactory, make_action
from tests.fake_robot import FakeRobotServer

URL = "https://oapi.dingtalk.com/robot/send?access_token=abcd1234567890wxyz"
SECRET = "SEC0123456789abcdef"


@pytest.fixture(autouse=True)
def _test_redis(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", name="系统管理员", is_staff=True)


@pytest.fixture
def channel(department):
    return RobotChannel.objects.create(
        name="市场部钉钉群", platform="dingtalk", department=department, webhook_url=URL, secret=SECRET
    )


@pytest.fixture
def other_channel(other_department):
    return RobotChannel.objects.create(
        name="研发部飞书群",
        platform="feishu",
        department=other_department,
        webhook_url="https://open.feishu.cn/x",
    )


def form_data(department, **overrides):
    data = {
        "name": "市场部钉钉群",
        "platform": "dingtalk",
        "department": department.pk if department else "",
        "series": "",
        "webhook_url": URL,
        "secret": SECRET,
        "enabled": "on",
    }
    data.update(overrides)
    return data


def endpoints(channel_id, reminder_id=1):
    return [
        ("get", reverse("actions:channels")),
        ("get", reverse("actions:channel_create")),
        ("get", reverse("actions:channel_edit", args=[channel_id])),
        ("post", reverse("actions:channel_test", args=[channel_id])),
        ("post", reverse("actions:channel_delete", args=[channel_id])),
        ("get", reverse("actions:reminders")),
        ("post", reverse("actions:reminder_resend", args=[reminder_id])),
    ]


def test_outsider_gets_404_on_every_robot_and_reminder_page(client_for, outsider, channel):
    client = client_for(outsider)
    for method, url in endpoints(channel.pk):
        assert getattr(client, method)(url).status_code == 404, url
    assert RobotChannel.objects.filter(pk=channel.pk).exists()


def test_department_head_gets_404_for_another_departments_robot_and_the_reminder_log(
    client_for, chair, other_channel
):
    client = client_for(chair)
    for method, url in endpoints(other_channel.pk)[2:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert RobotChannel.objects.filter(pk=other_channel.pk).exists()


def test_anonymous_is_sent_to_login(client, channel):
    response = client.get(reverse("actions:channels"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_department_head_sees_only_their_robots_with_the_url_masked(
    client_for, chair, channel, other_channel
):
    response = client_for(chair).get(reverse("actions:channels"))
    html = response.content.decode()
    assert "市场部钉钉群" in html and "研发部飞书群" not in html
    assert "access_token=abcd…wxyz" in html
    assert "1234567890" not in html and SECRET not in html


def test_admin_sees_every_robot(client_for, admin_user, channel, other_channel):
    html = client_for(admin_user).get(reverse("actions:channels")).content.decode()
    assert "市场部钉钉群" in html and "研发部飞书群" in html


def test_empty_state_explains_how_to_add_a_robot(client_for, chair):
    html = client_for(chair).get(reverse("actions:channels")).content.decode()
    assert "还没有配置群机器人" in html


def test_department_head_adds_a_robot_for_their_department(client_for, chair, department):
    response = client_for(chair).post(reverse("actions:channel_create"), form_data(department))
    assert response.status_code == 302
    channel = RobotChannel.objects.get()
    assert (channel.webhook_url, channel.secret, channel.created_by) == (URL, SECRET, chair)


def test_department_head_cannot_add_a_robot_for_another_department(client_for, chair, other_department):
    response = client_for(chair).post(reverse("actions:channel_create"), form_data(other_department))
    assert response.status_code == 200
    assert not RobotChannel.objects.exists()


def test_url_that_is_not_http_is_refused_in_chinese_and_the_form_keeps_what_was_typed(
    client_for, chair, department
):
    response = client_for(chair).post(
        reverse("actions:channel_create"), form_data(department, webhook_url="ftp://robot.example.cn/hook")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "机器人地址必须以 http:// 或 https:// 开头" in html
    assert 'value="ftp://robot.example.cn/hook"' in html
    assert not RobotChannel.objects.exists()


def test_department_or_series_must_be_chosen(client_for, admin_user):
    response = client_for(admin_user).post(reverse("actions:channel_create"), form_data(None))
    assert "请选择一个部门或一个会议系列" in response.content.decode()


def test_edit_form_never_shows_the_saved_secrets(client_for, chair, channel):
    html = client_for(chair).get(reverse("actions:channel_edit", args=[channel.pk])).content.decode()
    assert URL not in html and SECRET not in html and "1234567890" not in html
    assert "access_token=abcd…wxyz" in html and "已设置" in html


def test_editing_without_retyping_keeps_the_saved_url_and_secret(client_for, chair, channel, department):
    response = client_for(chair).post(
        reverse("actions:channel_edit", args=[channel.pk]),
        form_data(department, name="市场部钉钉大群", webhook_url="", secret=""),
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.webhook_url, channel.secret) == ("市场部钉钉大群", URL, SECRET)


def test_secret_can_be_cleared_and_the_robot_disabled(client_for, chair, channel, department):
    data = form_data(department, webhook_url="", secret="", clear_secret="on")
    del data["enabled"]
    client_for(chair).post(reverse("actions:channel_edit", args=[channel.pk]), data)
    channel.refresh_from_db()
    assert channel.secret == "" and channel.webhook_url == URL and not channel.enabled


def test_saving_never_logs_the_secrets(client_for, chair, department, caplog):
    caplog.set_level("DEBUG")
    client_for(chair).post(reverse("actions:channel_create"), form_data(department))
    assert RobotChannel.objects.exists()
    assert SECRET not in caplog.text and "1234567890" not in caplog.text


def test_delete_removes_the_robot(client_for, chair, channel):
    client_for(chair).post(reverse("actions:channel_delete", args=[channel.pk]))
    assert not RobotChannel.objects.exists()


def test_test_message_shows_the_platforms_answer(client_for, chair, department):
    with FakeRobotServer(secret=SECRET) as server:
        good = RobotChannel.objects.create(
            name="好群",
            platform="dingtalk",
            department=department,
            webhook_url=f"{server.url}/dingtalk/send?access_token={uuid.uuid4().hex}",
            secret=SECRET,
        )
        bad = RobotChannel.objects.create(
            name="坏群",
            platform="dingtalk",
            department=department,
            webhook_url=f"{server.url}/dingtalk/send?access_token={uuid.uuid4().hex}",
            secret="SECwrong",
        )
        client = client_for(chair)
        ok = client.post(reverse("actions:channel_test", args=[good.pk]), follow=True).content.decode()
        refused = client.post(reverse("actions:channel_test", args=[bad.pk]), follow=True).content.decode()
    assert "“好群”:发送成功,平台返回:errcode=0, errmsg=ok" in ok
    assert "“坏群”:平台拒绝了消息:errcode 310000: sign not match" in refused
    assert len(server.received) == 1


def test_test_message_needs_post(client_for, chair, channel):
    assert client_for(chair).get(reverse("actions:channel_test", args=[channel.pk])).status_code == 405


# 提醒记录 ------------------------------------------------------------------------------------------


def make_reminders(
    count, *, recipient, channel, state=Reminder.State.SENT, delivery_state=DeliveryState.SENT
):
    meeting = MeetingFactory(department=channel.department)
    reminders = []
    for n in range(count):
        action = make_action(lead=recipient, meeting=meeting, title=f"事项{n}")
        reminder = Reminder.objects.create(
            action=action,
            recipient=recipient,
            kind=Reminder.Kind.OVERDUE,
            slot=timezone.localdate(),
            state=state,
        )
        RobotDelivery.objects.create(reminder=reminder, channel=channel, state=delivery_state)
        reminders.append(reminder)
    return reminders


def test_reminder_log_filters_by_state_channel_and_recipient(client_for, admin_user, owner, chair, channel):
    [robot_failed] = make_reminders(1, recipient=owner, channel=channel, delivery_state=DeliveryState.FAILED)
    RobotDelivery.objects.filter(reminder=robot_failed).update(error="errcode 310000: sign not match")
    [mail_failed] = make_reminders(1, recipient=chair, channel=channel, state=Reminder.State.FAILED)
    [fine] = make_reminders(1, recipient=chair, channel=channel)
    client = client_for(admin_user)

    def shown(**params):
        response = client.get(reverse("actions:reminders"), params)
        return {r.pk for r in response.context["page"].object_list}

    assert shown() == {robot_failed.pk, mail_failed.pk, fine.pk}
    assert shown(state="failed") == {robot_failed.pk, mail_failed.pk}
    assert shown(state="failed", channel="email") == {mail_failed.pk}
    assert shown(state="failed", channel=f"robot:{channel.pk}") == {robot_failed.pk}
    assert shown(state="sent", channel="robot") == {mail_failed.pk, fine.pk}
    assert shown(recipient="王芳") == {robot_failed.pk}
    html = client.get(reverse("actions:reminders"), {"state": "failed"}).content.decode()
    assert "errcode 310000: sign not match" in html and "重新发送" in html


def test_reminder_log_query_count_does_not_grow_with_rows(
    client_for, admin_user, owner, channel, django_assert_max_num_queries
):
    client = client_for(admin_user)
    make_reminders(3, recipient=owner, channel=channel)
    with django_assert_max_num_queries(9):
        client.get(reverse("actions:reminders"))
    make_reminders(40, recipient=owner, channel=channel, delivery_state=DeliveryState.FAILED)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("actions:reminders"))
    assert len(response.context["page"].object_list) == 43


def test_resend_puts_failed_deliveries_back_and_sends_them(
    client_for, admin_user, owner, channel, django_capture_on_commit_callbacks
):
    [reminder] = make_reminders(1, recipient=owner, channel=channel, delivery_state=DeliveryState.FAILED)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(admin_user).post(reverse("actions:reminder_resend", args=[reminder.pk]))
    assert response.status_code == 302
    assert RobotDelivery.objects.get().state == DeliveryState.PENDING
    assert len(callbacks) == 1  # the robot's drain


def test_resend_of_a_failed_email_puts_the_reminder_back_in_the_queue(
    client_for, admin_user, owner, channel, django_capture_on_commit_callbacks
):
    [reminder] = make_reminders(1, recipient=owner, channel=channel, state=Reminder.State.FAILED)
    with django_capture_on_commit_callbacks():
        client_for(admin_user).post(reverse("actions:reminder_resend", args=[reminder.pk]))
    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.PENDING
    assert RobotDelivery.objects.get().state == DeliveryState.SENT  # what was sent is not sent again


def test_resend_of_a_sent_reminder_changes_nothing(client_for, admin_user, owner, channel):
    [reminder] = make_reminders(1, recipient=owner, channel=channel)
    response = client_for(admin_user).post(
        reverse("actions:reminder_resend", args=[reminder.pk]), follow=True
    )
    assert "无需重新发送" in response.content.decode()
    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.SENT


@pytest.mark.parametrize("count", [2, 30])
def test_robot_list_query_count_does_not_grow_with_robots(
    client_for, admin_user, department, count, django_assert_max_num_queries
):
    for n in range(count):
        RobotChannel.objects.create(name=f"群{n}", platform="wecom", department=department, webhook_url=URL)
    client = client_for(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("actions:channels"))
    assert response.content.decode().count("data-channel=") == count


def test_department_head_manages_the_robots_of_their_departments_series(
    client_for, chair, department, other_department
):
    from meetings.models import MeetingSeries

    own = MeetingSeries.objects.create(title="市场部周例会", department=department)
    foreign = MeetingSeries.objects.create(title="研发部周例会", department=other_department)
    client = client_for(chair)
    response = client.post(reverse("actions:channel_create"), form_data(None, series=own.pk, name="周例会群"))
    assert response.status_code == 302
    response = client.post(reverse("actions:channel_create"), form_data(None, series=foreign.pk))
    assert response.status_code == 200 and RobotChannel.objects.count() == 1
    foreign_robot = RobotChannel.objects.create(
        name="研发部周例会群", platform="wecom", series=foreign, webhook_url=URL
    )
    assert client.get(reverse("actions:channel_edit", args=[foreign_robot.pk])).status_code == 404
    assert (
        client.get(
            reverse("actions:channel_edit", args=[RobotChannel.objects.get(name="周例会群").pk])
        ).status_code
        == 200
    )
