"""While the database refuses connections the editor's endpoints answer 503 with a JSON message the
page's script reads (it keeps the edits and retries), and pages answer a 503 page; never Django's
500 page or a traceback."""

import json
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db

MESSAGE = "数据库暂时无法连接,请稍后重试。"


@pytest.fixture
def outage_client(settings, client_for, chair):
    settings.DEBUG = False
    client = client_for(chair)
    client.raise_request_exception = False
    return client


def refused():
    """What Django raises when PostgreSQL refuses the connection: its own error, from the driver's."""
    try:
        raise ConnectionRefusedError("connection refused")
    except ConnectionRefusedError as cause:
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed') from cause


def endpoints(meeting):
    return [
        ("post", reverse("meetings:editor_save", args=[meeting.pk]), {"entity": "meeting", "pk": meeting.pk}),
        (
            "post",
            reverse("meetings:editor_add", args=[meeting.pk, "agenda"]),
            {"title": "新议题", "day": "1"},
        ),
        ("post", reverse("meetings:editor_reorder", args=[meeting.pk]), {"order": []}),
        ("get", reverse("meetings:editor_news", args=[meeting.pk]), None),
        ("get", reverse("meetings:editor_token", args=[meeting.pk]), None),
    ]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    return client.post(url, json.dumps(body), content_type="application/json", HTTP_X_REQUESTED_WITH="fetch")


@pytest.mark.parametrize("where", ["session", "view"])
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_editor_endpoints_answer_503_json_when_the_database_is_down(outage_client, meeting, where, error):
    def fail(*args, **kwargs):
        if error is OperationalError:
            refused()
        raise InterfaceError("connection already closed")

    # Down before the view runs (the session is read by the language middleware) or inside it.
    target = (
        "django.contrib.sessions.backends.db.SessionStore.load"
        if where == "session"
        else "meetings.views.editor.editable_meeting"
    )
    for method, url, body in endpoints(meeting):
        with mock.patch(target, side_effect=fail):
            response = call(outage_client, method, url, body)
        assert response.status_code == 503, (url, response.status_code)
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"error": MESSAGE, "retry": True}
        assert response["Retry-After"] == "5"
    # Any other error keeps the 500 page, which names nothing of it.
    with mock.patch("meetings.views.editor.editable_meeting", side_effect=RuntimeError("a bug")):
        response = call(outage_client, *endpoints(meeting)[0])
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode() and "a bug" not in response.content.decode()


def test_the_editor_page_answers_a_503_page_without_a_traceback(outage_client, meeting):
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=lambda *a: refused()
    ):
        response = outage_client.get(reverse("meetings:editor", args=[meeting.pk]))
    assert response.status_code == 503
    text = response.content.decode()
    assert "暂时无法访问" in text and MESSAGE in text
    assert "Traceback" not in text and "OperationalError" not in text and "5432" not in text
