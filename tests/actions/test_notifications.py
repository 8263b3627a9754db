"""站内通知: the bell's count, the page, marking read, and nobody else's notifications."""

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Notification, Reminder
from actions.reminders.sending import reminder_fan_out
from tests.factories import make_action


def notify(user, count=1, kind=Reminder.Kind.OVERDUE):
    notes = []
    for n in range(count):
        action = make_action(lead=user, title=f"提交整改报告{n}")
        reminder = Reminder.objects.create(
            action=action, recipient=user, kind=kind, slot=timezone.localdate()
        )
        reminder_fan_out(reminder=reminder)
        notes.append(Notification.objects.get(reminder=reminder))
    return notes


def test_bell_shows_the_unread_count(client_for, owner):
    notify(owner, 3)
    Notification.objects.filter(pk=Notification.objects.first().pk).update(read_at=timezone.now())
    html = client_for(owner).get(reverse("actions:notifications")).content.decode()
    assert 'id="notification-count">2<' in html


def test_bell_has_no_count_when_everything_is_read(client_for, owner):
    html = client_for(owner).get(reverse("actions:my")).content.decode()
    assert 'id="notification-bell"' in html and "notification-count" not in html


@pytest.mark.parametrize("count", [0, 5])
def test_the_bell_costs_one_count_on_pages_that_show_it(client_for, owner, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notify(owner, count)
    client = client_for(owner)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("actions:calendar")).content.decode()
    touching = [q["sql"] for q in captured if "actions_notification" in q["sql"]]
    assert len(touching) == 1 and "COUNT(" in touching[0]
    assert ('id="notification-count">5<' in html) == (count == 5)


def test_fragments_without_the_bar_do_not_count(owner, django_assert_num_queries):
    from django.template import engines
    from django.test import RequestFactory

    from actions.context_processors import notifications

    notify(owner, 2)
    request = RequestFactory().get("/")
    request.user = owner
    context = notifications(request)
    with django_assert_num_queries(0):
        engines["django"].from_string("<p>片段</p>").render(context)
    with django_assert_num_queries(1):
        assert engines["django"].from_string("{{ unread_notifications }}").render(context) == "2"


def test_page_lists_the_users_notifications_newest_first_with_links(client_for, owner):
    first, second = notify(owner, 2)
    response = client_for(owner).get(reverse("actions:notifications"))
    html = response.content.decode()
    assert [n.pk for n in response.context["page"].object_list] == [second.pk, first.pk]
    assert "已逾期" in html and "提交整改报告1" in html
    assert reverse("actions:notification_open", args=[first.pk]) in html


def test_empty_state(client_for, owner):
    assert "暂无通知" in client_for(owner).get(reverse("actions:notifications")).content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_the_item(client_for, owner):
    [note] = notify(owner)
    response = client_for(owner).get(reverse("actions:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("actions:detail", args=[note.action_id])
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_one_and_mark_all_read(client_for, owner):
    first, second, third = notify(owner, 3)
    client = client_for(owner)
    client.post(reverse("actions:notification_read", args=[first.pk]))
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    response = client.post(reverse("actions:notifications_read_all"), follow=True)
    assert "已将 2 条通知标记为已读" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_all_read_counts_in_english(client_for, owner):
    owner.language = "en"
    owner.save(update_fields=["language"])
    client = client_for(owner)
    notify(owner, 1)
    response = client.post(reverse("actions:notifications_read_all"), follow=True)
    assert "Marked 1 notification as read." in response.text
    notify(owner, 3)
    response = client.post(reverse("actions:notifications_read_all"), follow=True)
    assert "Marked 3 notifications as read." in response.text


def test_someone_elses_notification_is_404(client_for, owner, outsider):
    [note] = notify(owner)
    client = client_for(outsider)
    assert client.get(reverse("actions:notification_open", args=[note.pk])).status_code == 404
    assert client.post(reverse("actions:notification_read", args=[note.pk])).status_code == 404
    client.post(reverse("actions:notifications_read_all"))
    note.refresh_from_db()
    assert note.read_at is None
    assert "提交整改报告" not in client.get(reverse("actions:notifications")).content.decode()


def test_marking_read_needs_post(client_for, owner):
    [note] = notify(owner)
    assert client_for(owner).get(reverse("actions:notification_read", args=[note.pk])).status_code == 405
    assert client_for(owner).get(reverse("actions:notifications_read_all")).status_code == 405


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("actions:notifications"))
    assert response.status_code == 302


@pytest.mark.parametrize("count", [3, 45])
def test_page_query_count_does_not_grow_with_notifications(
    client_for, owner, count, django_assert_max_num_queries
):
    notify(owner, count)
    client = client_for(owner)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("actions:notifications"))
    assert len(response.context["page"].object_list) == min(count, 20)
    if count > 20:
        assert "第 1 页 / 共 3 页" in response.content.decode()
