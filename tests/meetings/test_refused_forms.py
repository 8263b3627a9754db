"""A refused form comes back with what was typed and the reason in the user's language; no box cuts a
paste off silently (the server checks the length and says so)."""

import re

import pytest
from django.urls import reverse

from actions.forms import ReviewUpdateForm
from meetings import lifecycle
from meetings.models import Attendance, Meeting, MeetingComment, MeetingTemplate
from tests.factories import UserFactory

LONG = "会议意见" * 600  # 2,400 characters: over the 2,000 a comment may hold


@pytest.fixture
def draft(meeting, chair):
    recorder = UserFactory(name="陈静")
    Meeting.objects.filter(pk=meeting.pk).update(recorder=recorder)
    Attendance.objects.create(meeting=meeting, user=recorder, role=Attendance.Role.RECORDER)
    meeting.refresh_from_db()
    return meeting


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<(?:textarea|input)[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


@pytest.mark.django_db
def test_a_long_comment_comes_back_whole_with_the_limit_in_chinese(client_for, draft, chair):
    response = client_for(chair).post(reverse("meetings:comment_add", args=[draft.pk]), {"text": LONG})
    assert response.status_code == 400
    assert "内容过长:最多 2000 字,当前 2400 字。" in response.text
    assert LONG in response.text
    assert "maxlength" not in _textarea(response.text, "text")
    assert not MeetingComment.objects.exists()


@pytest.mark.django_db
def test_a_long_template_name_is_kept_and_explained(client_for, draft, chair):
    name = "市场部周例会模板" * 30  # 240 characters
    response = client_for(chair).post(reverse("meetings:save_template", args=[draft.pk]), {"name": name})
    assert response.status_code == 400
    assert "内容过长:最多 200 字,当前 240 字。" in response.text
    assert "请填写模板名称" not in response.text
    assert name in response.text and "maxlength" not in _textarea(response.text, "name")
    assert not MeetingTemplate.objects.exists()


@pytest.mark.django_db
def test_return_and_reopen_keep_their_reason(client_for, draft, chair):
    recorder = draft.recorder
    lifecycle.meeting_submit(meeting=draft, by=recorder)
    response = client_for(chair).post(reverse("meetings:return", args=[draft.pk]), {"comment": LONG})
    assert response.status_code == 400 and LONG in response.text
    assert "内容过长" in response.text
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.SUBMITTED
    lifecycle.meeting_publish(meeting=draft, by=chair, confirm_empty=True)
    response = client_for(chair).post(reverse("meetings:reopen", args=[draft.pk]), {"reason": LONG})
    assert response.status_code == 400 and LONG in response.text
    response = client_for(chair).post(reverse("meetings:reopen", args=[draft.pk]), {"reason": " "})
    assert "重新打开已发布的纪要必须说明原因" in response.text


def test_the_review_note_is_checked_by_the_server():
    assert "maxlength" not in str(ReviewUpdateForm()["note"])
    form = ReviewUpdateForm({"note": "进" * 2001})
    assert not form.is_valid()
    assert form.errors["note"] == ["内容过长:最多 2000 字,当前 2001 字。"]


def test_no_template_cuts_a_paste():
    """Every template of the site, so a new one is checked too."""

    from django.conf import settings

    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if "maxlength" in path.read_text()
    ]
    assert not offenders


@pytest.mark.django_db
def test_no_page_with_forms_renders_a_maxlength(client_for, draft, chair):
    """Forms rendered by crispy take their length from the model: the server checks it instead."""
    client = client_for(chair)
    urls = [
        draft.get_absolute_url(),
        reverse("meetings:editor", args=[draft.pk]),
        reverse("meetings:create"),
        reverse("meetings:series_create"),
        reverse("actions:department"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "maxlength" not in response.text, url


@pytest.mark.django_db
def test_a_long_meeting_title_is_refused_with_the_count_and_kept(client_for, chair):
    title = "关于第四季度渠道调整方案的专题会议" * 15  # 255 characters
    response = client_for(chair).post(
        reverse("meetings:create"), {"title": title, "kind": "topic", "starts_at": "2026-12-07T09:30"}
    )
    assert response.status_code == 200
    assert "内容过长:最多 200 字,当前 255 字。" in response.text and title in response.text
    assert not Meeting.objects.exists()
