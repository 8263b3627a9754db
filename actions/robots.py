"""Chat robots: the group webhooks of 企业微信 (WeCom), 钉钉 (DingTalk), 飞书 (Feishu/Lark), Slack-compatible
webhooks and a generic JSON webhook.

Each robot turns a `RobotMessage` into the platform's JSON, signs it where the platform asks for a
signature (DingTalk and Feishu "加签"), posts it, and reads the platform's answer. Failures are
classified so callers know whether to retry:
- `TransientRobotError`: HTTP 5xx, 429 (rate limited) or a network error/timeout: retry later;
- `RobotRejected`: the platform answered with an error code in its JSON body (bad key, bad signature,
  keyword mismatch…): retrying will not help; record the platform's message.
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT_SECONDS = 10


class RobotError(Exception):
    pass


class TransientRobotError(RobotError):
    # Why it failed, for the person reading it: "timeout", "unreachable", "server" (5xx) or "rate_limited".
    def __init__(self, message: str, retry_after: float | None = None, reason: str = "server"):
        super().__init__(message)
        self.retry_after = retry_after
        self.reason = reason


class RobotRejected(RobotError):
    pass


def _markdown_text(text: str) -> str:
    """Text that cannot open or close a Markdown link."""
    return text.replace("[", "【").replace("]", "】")


@dataclasses.dataclass(frozen=True)
class RobotMessage:
    title: str
    lines: tuple[str, ...]  # plain text lines; each robot formats them for its platform
    url: str = ""  # a link to open, e.g. the action item
    link_text: str = "查看详情"
    # A list of items, each (text, url): the batched message, one line per item with its own link.
    items: tuple[tuple[str, str], ...] = ()

    def markdown(self) -> str:
        body = [f"- {_markdown_text(line)}" for line in self.lines]
        body += [f"- [{_markdown_text(text)}]({url})" for text, url in self.items]
        link = f"\n\n[{self.link_text}]({self.url})" if self.url else ""
        return f"### {self.title}\n" + "\n".join(body) + link

    def text(self) -> str:
        items = [f"{text} {url}" for text, url in self.items]
        return "\n".join([self.title, *self.lines, *items, *([self.url] if self.url else [])])


def validate_webhook_url(url: str) -> str:
    """Only http(s) URLs with a host; raises ValueError with a message for the user otherwise."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("机器人地址必须以 http:// 或 https:// 开头。")
    return url.strip()


def _post_json(url: str, payload: dict) -> dict | str:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) only
            body = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")[:500]
        if exc.code == 429:
            reset = exc.headers.get("x-ogw-ratelimit-reset") or exc.headers.get("Retry-After")
            raise TransientRobotError(
                f"HTTP 429: {body}", retry_after=float(reset) if reset else None, reason="rate_limited"
            ) from exc
        if exc.code >= 500:
            raise TransientRobotError(f"HTTP {exc.code}: {body}") from exc
        raise RobotRejected(f"HTTP {exc.code}: {body}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        # Only the error, never the URL: it carries the robot's credentials.
        cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        reason = "timeout" if isinstance(cause, TimeoutError) else "unreachable"
        raise TransientRobotError(f"{cause.__class__.__name__}: {cause}", reason=reason) from exc
    try:
        return json.loads(body)
    except ValueError:
        return body


def _hmac_base64(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def _check_errcode(answer) -> None:
    """WeCom and DingTalk answer {"errcode": 0, "errmsg": "ok"}; anything else is the platform saying no.
    The message keeps the platform's own words, which is what an administrator needs to fix it."""
    if not isinstance(answer, dict):
        raise RobotRejected(f"unexpected answer: {str(answer)[:300]}")
    if answer.get("errcode", 0) != 0:
        raise RobotRejected(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


class Robot:
    kind = ""

    def __init__(self, url: str, secret: str = ""):
        self.url = validate_webhook_url(url)
        self.secret = secret

    def payload(self, message: RobotMessage) -> dict:
        raise NotImplementedError

    def check(self, answer) -> None:
        """Raise RobotRejected when the platform's JSON says the message was refused."""

    def send(self, message: RobotMessage):
        answer = _post_json(self.target_url(), self.payload(message))
        self.check(answer)
        return answer

    def target_url(self) -> str:
        return self.url


class WeComRobot(Robot):
    """企业微信群机器人: markdown; {"errcode": 0} on success."""

    kind = "wecom"

    def payload(self, message):
        return {"msgtype": "markdown", "markdown": {"content": message.markdown()}}

    def check(self, answer):
        _check_errcode(answer)


class DingTalkRobot(Robot):
    """钉钉自定义机器人: markdown; optional 加签 = HMAC-SHA256 of "timestamp\\nsecret" in the URL."""

    kind = "dingtalk"

    def target_url(self, now_ms: int | None = None) -> str:
        if not self.secret:
            return self.url
        timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
        sign = _hmac_base64(self.secret.encode(), f"{timestamp}\n{self.secret}".encode())
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}timestamp={timestamp}&sign={urllib.parse.quote_plus(sign)}"

    def payload(self, message):
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.markdown()}}

    def check(self, answer):
        _check_errcode(answer)


class FeishuRobot(Robot):
    """飞书自定义机器人: rich text ("post"); optional signature = HMAC-SHA256 keyed with
    "timestamp\\nsecret" over an empty message, sent in the body."""

    kind = "feishu"

    def payload(self, message, now_s: int | None = None):
        content = [[{"tag": "text", "text": line}] for line in message.lines]
        content += [[{"tag": "a", "text": text, "href": url}] for text, url in message.items]
        if message.url:
            content.append([{"tag": "a", "text": message.link_text, "href": message.url}])
        body = {
            "msg_type": "post",
            "content": {"post": {"zh_cn": {"title": message.title, "content": content}}},
        }
        if self.secret:
            timestamp = str(now_s if now_s is not None else int(time.time()))
            body["timestamp"] = timestamp
            body["sign"] = _hmac_base64(f"{timestamp}\n{self.secret}".encode(), b"")
        return body

    def check(self, answer):
        if not isinstance(answer, dict):
            raise RobotRejected(f"unexpected answer: {str(answer)[:300]}")
        code = answer.get("code", answer.get("StatusCode", 0))
        if code != 0:
            raise RobotRejected(f"code {code}: {answer.get('msg') or answer.get('StatusMessage') or answer}")


class SlackRobot(Robot):
    """Slack-compatible incoming webhook: {"text": …}; answers "ok"."""

    kind = "slack"

    def payload(self, message):
        return {"text": message.text()}


class WebhookRobot(Robot):
    """Anything else: a plain JSON document."""

    kind = "webhook"

    def payload(self, message):
        return {
            "title": message.title,
            "lines": list(message.lines),
            "items": [{"text": text, "url": url} for text, url in message.items],
            "url": message.url,
        }


ROBOTS = {cls.kind: cls for cls in (WeComRobot, DingTalkRobot, FeishuRobot, SlackRobot, WebhookRobot)}


def robot_for(kind: str, url: str, secret: str = "") -> Robot:
    return ROBOTS[kind](url, secret)
