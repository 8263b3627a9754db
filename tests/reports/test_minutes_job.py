"""Minutes too long to render during the request render in a background job: the download link opens a
page with the job's progress, then the file. The job runs here through reports.jobs.job_run, as the
worker would; tests/integration runs a real worker."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings import services
from meetings.document import minutes_document
from meetings.models import Meeting
from reports import jobs
from reports.minutes import estimated_pages, minutes_pdf
from reports.models import PublishedMinutes, RenderJob
from tests.factories import UserFactory, make_action
from tests.reports.pdf_tools import flat, pdf_text
from tests.reports.test_pdf_minutes import _media, minutes, publish  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_minutes(settings, minutes):  # noqa: F811
    """The test meeting counts as long: anything over one estimated page renders in the background."""
    settings.MINUTES_BACKGROUND_PAGES = 1
    return minutes


def ask(client, meeting, name="minutes_pdf", *args):
    response = client.get(reverse(f"reports:{name}", args=[meeting.pk, *args]))
    assert response.status_code == 200
    return response


def run(job) -> RenderJob:
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.DONE
    job.refresh_from_db()
    return job


def download(client, job) -> bytes:
    response = client.get(reverse("reports:job_download", args=[job.pk, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_the_estimate_is_within_a_fifth_of_the_real_page_count(chair, minutes):  # noqa: F811
    item = minutes.agenda_items.first()
    paragraph = "市场推广数据回顾与线索转化分析,各渠道投放效果对比。" * 12
    services.speaker_report_add(agenda_item=item, speaker=chair, content="\n".join([paragraph] * 40))
    for n in range(40):
        make_action(lead=chair, meeting=minutes, title=f"完成第{n + 1}项整改并提交书面报告")
    document = minutes_document(minutes)
    real = len(PdfReader(io.BytesIO(minutes_pdf(document))).pages)
    assert real >= 10
    assert abs(estimated_pages(document) - real) <= real / 5


def test_short_minutes_download_at_once(client_for, chair, minutes):  # noqa: F811
    response = ask(client_for(chair), minutes)
    assert response["Content-Type"] == "application/pdf"
    assert RenderJob.objects.count() == 0


def test_long_minutes_show_progress_then_offer_the_download(client_for, chair, long_minutes):
    client = client_for(chair)
    response = ask(client, long_minutes)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "由后台生成" in page and "排队等待后台处理" in page and 'role="progressbar"' in page
    job = response.context["job"]
    assert job.kind == "minutes_pdf" and job.params["full_access"] is True

    run(job)
    progress = client.get(reverse("reports:job_progress", args=[job.pk])).content.decode()
    assert reverse("reports:job_download", args=[job.pk, "pdf"]) in progress
    data = download(client, job)
    assert data.startswith(b"%PDF-")
    text = flat(pdf_text(data))
    assert "《市场部第12次周例会》会议纪要" in text and "上线营销自动化工具" in text
    assert job.outputs["pdf"]["filename"].startswith(f"minutes-{long_minutes.pk}-")

    # Asking again for the same minutes finds the finished render: the page offers the file at once.
    again = ask(client, long_minutes)
    assert again.context["job"].pk == job.pk and RenderJob.objects.count() == 1
    assert reverse("reports:job_download", args=[job.pk, "pdf"]) in again.content.decode()


def test_an_edit_makes_a_new_render(client_for, chair, long_minutes):
    client = client_for(chair)
    first = run(ask(client, long_minutes).context["job"])
    services.decision_add(meeting=long_minutes, text="追加决议:下周完成复盘")
    second = ask(client, long_minutes).context["job"]
    assert second.pk != first.pk
    assert "追加决议" in flat(pdf_text(download(client, run(second))))
    assert "追加决议" not in flat(pdf_text(download(client, first)))


def test_a_reader_without_full_access_gets_their_own_render(client_for, chair, outsider, long_minutes):
    secret = services.decision_add(meeting=long_minutes, text="机密决议:收购谈判底价")
    secret.is_confidential = True
    secret.save()
    make_action(lead=outsider, meeting=long_minutes, title="赵磊负责的公开事项")
    full = ask(client_for(chair), long_minutes).context["job"]
    partial = ask(client_for(outsider), long_minutes).context["job"]
    assert partial.pk != full.pk and partial.params["full_access"] is False
    text = flat(pdf_text(download(client_for(outsider), run(partial))))
    assert "赵磊负责的公开事项" in text and "收购谈判底价" not in text
    # The full render is not theirs to poll or download.
    run(full)
    client = client_for(outsider)
    assert client.get(reverse("reports:job_progress", args=[full.pk])).status_code == 404
    assert client.get(reverse("reports:job_download", args=[full.pk, "pdf"])).status_code == 404


def test_someone_who_may_not_see_the_meeting_cannot_reach_its_render(client_for, chair, long_minutes):
    job = run(ask(client_for(chair), long_minutes).context["job"])
    long_minutes.visibility = Meeting.Visibility.PARTICIPANTS
    long_minutes.save()
    stranger = client_for(UserFactory(name="孙八"))
    assert stranger.get(reverse("reports:minutes_pdf", args=[long_minutes.pk])).status_code == 404
    assert stranger.get(reverse("reports:job_progress", args=[job.pk])).status_code == 404
    assert stranger.get(reverse("reports:job_download", args=[job.pk, "pdf"])).status_code == 404


def test_published_minutes_are_stored_by_the_job_and_then_served_directly(client_for, chair, long_minutes):
    version = publish(long_minutes, chair)
    client = client_for(chair)
    job = ask(client, long_minutes).context["job"]
    data = download(client, run(job))
    stored = PublishedMinutes.objects.get(version=version)
    with stored.file.open("rb") as handle:
        assert handle.read() == data
    # Once stored, the file comes straight away, from the current link and the version's own link.
    assert ask(client, long_minutes).content == data
    assert ask(client, long_minutes, "minutes_version_pdf", version.number).content == data


def test_english_readers_get_an_english_render(client_for, chair, long_minutes):
    chair.language = "en"
    chair.save()
    client = client_for(chair)
    response = ask(client, long_minutes)
    assert "rendered in the background" in response.content.decode()
    job = response.context["job"]
    assert job.params["language"] == "en"
    assert "Minutes" in flat(pdf_text(download(client, run(job))))
