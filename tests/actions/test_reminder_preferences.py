"""提醒设置: the signed-in user's own reminder preferences."""

import pytest
from django.urls import reverse

from actions.models import ReminderPreference

pytestmark = pytest.mark.django_db
URL = reverse("actions:reminder_preferences")


def test_it_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_navbar_user_menu_links_to_it(client_for, owner):
    assert f'href="{URL}"' in client_for(owner).get(reverse("actions:my")).text


def test_defaults_are_shown_before_anything_is_saved(client_for, owner):
    text = client_for(owner).get(URL).text
    assert "提醒设置" in text and "逐条提醒,并接收每周汇总" in text
    assert 'value="individual"  id="id_mode_0" required checked' in text
    assert not ReminderPreference.objects.exists()


def test_owner_saves_digest_only_without_robots(client_for, owner):
    response = client_for(owner).post(
        URL,
        {"mode": "digest", "email": "on", "time_zone": "Asia/Shanghai"},
        follow=True,
    )
    assert "提醒设置已保存" in response.text
    preference = ReminderPreference.objects.get(user=owner)
    assert preference.mode == "digest" and preference.email and not preference.robot
    assert not preference.support_reminders


def test_bad_input_keeps_what_was_typed_and_says_why(client_for, owner):
    response = client_for(owner).post(
        URL, {"mode": "digest", "support_reminders": "on", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "Mars/Olympus 不在可用的选项中" in response.text
    assert 'value="digest"  id="id_mode_1" required checked' in response.text
    assert _checked(response.text, "id_support_reminders")
    assert not ReminderPreference.objects.exists()


def _checked(html: str, element_id: str) -> bool:
    tag = next(line for line in html.splitlines() if f'id="{element_id}"' in line and "<input" in line)
    return " checked" in tag


def test_a_user_without_email_is_told(client_for, owner):
    owner.email = ""
    owner.save()
    assert "还没有电子邮箱" in client_for(owner).get(URL).text


def test_each_user_only_changes_their_own(client_for, owner, outsider):
    client_for(outsider).post(URL, {"mode": "digest", "time_zone": "UTC"})
    assert list(ReminderPreference.objects.values_list("user__name", flat=True)) == ["赵磊"]
