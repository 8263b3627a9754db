import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_chinese_by_default_even_for_an_english_browser(client_for, owner):
    response = client_for(owner).get(reverse("actions:my"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "我的行动项" in response.text
    assert '<html lang="zh-CN">' in response.text


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    assert "登录名" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").text


@pytest.mark.django_db
def test_switching_to_english_is_remembered_on_the_account(client_for, owner):
    client = client_for(owner)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("actions:my")})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "en"
    page = client.get(reverse("actions:my"))
    assert "My action items" in page.text and '<html lang="en">' in page.text


@pytest.mark.django_db
def test_unknown_language_is_ignored(client_for, owner):
    client_for(owner).post(reverse("set_language"), {"language": "xx", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == "zh-hans"


@pytest.mark.django_db
def test_empty_choice_in_forms_is_chinese(client_for, owner):
    page = client_for(owner).get(reverse("meetings:create")).text
    assert "- 请选择 -" in page
    assert "Select an option" not in page


@pytest.mark.django_db
def test_htmx_request_after_session_expiry_loads_the_login_page_whole(client):
    response = client.post(reverse("actions:progress", args=[1]), {"progress": 50}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.django_db
def test_each_language_is_offered_under_its_own_name(client_for, owner):
    """A reader who cannot read the current language still finds theirs: English reads "English"."""
    page = client_for(owner).get(reverse("actions:my")).text
    assert '<option value="en" lang="en">English</option>' in page
    assert "英语" not in page
    owner.language = "en"
    owner.save()
    page = client_for(owner).get(reverse("actions:my")).text
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in page
