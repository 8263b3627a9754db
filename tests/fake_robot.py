"""A local HTTP server that imitates the chat robots' webhook APIs, for tests.

It checks DingTalk's and Feishu's signatures the way the platforms do, answers in each platform's
JSON, can be told to answer 429 or an error body, and records what arrived.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeRobotServer:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.received: list[dict] = []
        self.requests = 0  # every POST, accepted or not
        self.fail_next: list[tuple[int, dict | str, dict]] = []  # (status, body, headers)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _signature_ok(self, platform: str, query: dict, body: dict) -> bool:
        if not self.secret:
            return True
        if platform == "dingtalk":
            timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
            expected = base64.b64encode(
                hmac.new(
                    self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256
                ).digest()
            ).decode()
            fresh = timestamp.isdigit() and abs(int(timestamp) / 1000 - time.time()) < 3600
            return fresh and hmac.compare_digest(sign, expected)
        if platform == "feishu":
            timestamp = str(body.get("timestamp", ""))
            expected = base64.b64encode(
                hmac.new(f"{timestamp}\n{self.secret}".encode(), b"", hashlib.sha256).digest()
            ).decode()
            fresh = timestamp.isdigit() and abs(int(timestamp) - time.time()) < 3600
            return fresh and hmac.compare_digest(str(body.get("sign", "")), expected)
        return True

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _answer(self, status: int, body, headers=None):
                raw = (
                    body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                parts = urllib.parse.urlsplit(self.path)
                platform = parts.path.strip("/").split("/")[0]
                query = urllib.parse.parse_qs(parts.query)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode())
                fake.requests += 1
                if fake.fail_next:
                    status, answer, headers = fake.fail_next.pop(0)
                    return self._answer(status, answer, headers)
                if not fake._signature_ok(platform, query, body):
                    if platform == "feishu":
                        return self._answer(
                            200,
                            {
                                "code": 19021,
                                "msg": "sign match fail or timestamp is not within one hour",
                            },
                        )
                    return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                fake.received.append({"platform": platform, "query": query, "body": body, "at": time.time()})
                if platform == "feishu":
                    return self._answer(200, {"code": 0, "msg": "success", "data": {}})
                if platform == "slack":
                    return self._answer(200, "ok")
                return self._answer(200, {"errcode": 0, "errmsg": "ok"})

        return Handler
