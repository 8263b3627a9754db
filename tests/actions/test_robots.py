"""Each chat robot against a local server that imitates the platform, signatures included."""

import pytest

from actions.robots import RobotMessage, RobotRejected, TransientRobotError, robot_for, validate_webhook_url
from tests.fake_robot import FakeRobotServer

MESSAGE = RobotMessage(
    title="【行动项提醒】明天到期:提交渠道优化方案",
    lines=("责任人:王芳", "完成时限:2026年3月17日 (周二)"),
    url="http://minutes.test/actions/7/",
)


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "slack", "webhook"])
def test_message_arrives_with_chinese_intact(kind):
    with FakeRobotServer() as server:
        robot_for(kind, f"{server.url}/{kind}/hook?key=abc").send(MESSAGE)
    [arrived] = server.received
    assert "提交渠道优化方案" in str(arrived["body"])


def test_dingtalk_signature_is_accepted_and_a_wrong_secret_is_rejected():
    with FakeRobotServer(secret="SEC123") as server:
        robot_for("dingtalk", f"{server.url}/dingtalk/robot/send?access_token=t", secret="SEC123").send(
            MESSAGE
        )
        with pytest.raises(RobotRejected, match="sign not match"):
            robot_for("dingtalk", f"{server.url}/dingtalk/robot/send?access_token=t", secret="WRONG").send(
                MESSAGE
            )
    assert len(server.received) == 1
    assert server.received[0]["body"]["msgtype"] == "markdown"


def test_feishu_signature_is_accepted_and_a_wrong_secret_is_rejected():
    with FakeRobotServer(secret="fs-secret") as server:
        robot_for("feishu", f"{server.url}/feishu/open-apis/bot/v2/hook/x", secret="fs-secret").send(MESSAGE)
        with pytest.raises(RobotRejected, match="sign match fail"):
            robot_for("feishu", f"{server.url}/feishu/open-apis/bot/v2/hook/x", secret="nope").send(MESSAGE)
    body = server.received[0]["body"]
    assert body["msg_type"] == "post"
    assert body["content"]["post"]["zh_cn"]["title"] == MESSAGE.title


def test_429_is_transient_and_carries_the_reset_time():
    with FakeRobotServer() as server:
        server.fail_next.append(
            (429, {"code": 11232, "msg": "frequency limited"}, {"x-ogw-ratelimit-reset": "7"})
        )
        with pytest.raises(TransientRobotError) as caught:
            robot_for("feishu", f"{server.url}/feishu/hook").send(MESSAGE)
    assert caught.value.retry_after == 7


def test_server_error_is_transient_and_error_code_is_final():
    with FakeRobotServer() as server:
        server.fail_next.append((502, "bad gateway", {}))
        with pytest.raises(TransientRobotError):
            robot_for("wecom", f"{server.url}/wecom/send").send(MESSAGE)
        server.fail_next.append((200, {"errcode": 93000, "errmsg": "invalid webhook url"}, {}))
        with pytest.raises(RobotRejected, match="93000"):
            robot_for("wecom", f"{server.url}/wecom/send").send(MESSAGE)


def test_unreachable_robot_is_transient():
    with pytest.raises(TransientRobotError):
        robot_for("dingtalk", "http://127.0.0.1:9/robot/send").send(MESSAGE)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/hook", "javascript:alert(1)", "not a url", "file:///etc/passwd"]
)
def test_webhook_url_must_be_http(url):
    with pytest.raises(ValueError, match="http"):
        validate_webhook_url(url)
