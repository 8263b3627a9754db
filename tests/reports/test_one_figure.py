"""One 按时完成率, one 逾期率 and one average delay wherever they are shown.

A random set of items (due dates before, in and after November, completions early and late, open,
paused and cancelled ones, people and departments as lead and support owners across 市场部, its
sub-department 华东区 and 研发一部) is read from every place that shows the figures: the counters of
部门行动项, and the period report's headline, its department chart, its tables (by department, by
lead) and its spreadsheet, for a department head and for staff. Each must agree with the others and
with a count written here in plain Python from docs/metrics.md.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import lxml.html
import openpyxl
import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from actions.models import ActionItem, Status
from reports import jobs
from reports.models import RenderJob
from tests.factories import DepartmentFactory, MeetingFactory, UserFactory, make_action

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI)
TODAY = NOW.date()
NOVEMBER = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
DASH = "—"

pytestmark = pytest.mark.django_db

PEOPLE = {"张伟": "市场部", "王芳": "市场部", "刘洋": "华东区", "赵磊": "研发一部", "何军": "研发一部"}
DEPARTMENTS = ("市场部", "华东区", "研发一部")
MARKET = {"市场部", "华东区"}  # 市场部 with everything below it


# The data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    due: int | None  # days from today; None: no due date
    status: str
    done: int  # a completion this many days after the due date (before today), if completed
    hour: int  # the Beijing hour it was completed at
    lead: str  # a person's or a department's name
    supports: tuple[str, ...] = ()

    @property
    def due_date(self) -> datetime.date | None:
        return None if self.due is None else TODAY + datetime.timedelta(days=self.due)

    @property
    def completed_on(self) -> datetime.date | None:
        if self.status != Status.DONE:
            return None
        if self.due_date is None:
            return TODAY - datetime.timedelta(days=abs(self.done))
        return min(self.due_date + datetime.timedelta(days=self.done), TODAY)

    @property
    def completed_at(self) -> datetime.datetime | None:
        """At `hour` on that Beijing day (0:30 UTC+8 is the day before in UTC), never after now."""
        if self.completed_on is None:
            return None
        moment = datetime.datetime.combine(self.completed_on, datetime.time(self.hour, 30), tzinfo=SHANGHAI)
        return min(moment, NOW)

    @property
    def on_time(self) -> bool | None:
        if self.completed_on is None or self.due_date is None:
            return None
        return self.completed_on <= self.due_date

    def owner_departments(self) -> set[str]:
        return {PEOPLE.get(name, name) for name in (self.lead, *self.supports)}


items = st.builds(
    Item,
    due=st.none() | st.integers(min_value=-50, max_value=30),
    status=st.sampled_from([Status.NOT_STARTED, Status.IN_PROGRESS, Status.ON_HOLD, Status.CANCELLED])
    | st.just(Status.DONE),
    done=st.integers(min_value=-6, max_value=8),
    hour=st.sampled_from([0, 9, 23]),
    lead=st.sampled_from([*PEOPLE, *DEPARTMENTS]),
    supports=st.lists(st.sampled_from(list(PEOPLE)), max_size=2, unique=True).map(tuple),
)


# The count in plain Python (docs/metrics.md) -----------------------------------------------------


@dataclass
class Count:
    due: int = 0
    on_time: int = 0
    late: int = 0
    delays: list[int] = field(default_factory=list)

    def add(self, item: Item) -> None:
        first, last = NOVEMBER
        due = item.due_date
        if due is None or not first <= due <= last or item.status == Status.CANCELLED:
            return
        if item.status != Status.DONE and due >= TODAY:
            return  # not judged yet
        self.due += 1
        if item.status == Status.DONE and item.on_time:
            self.on_time += 1
        elif item.status == Status.DONE:
            self.late += 1
            self.delays.append((item.completed_on - due).days)
        elif item.status in (Status.NOT_STARTED, Status.IN_PROGRESS):
            self.late += 1
            self.delays.append((TODAY - due).days)

    @staticmethod
    def _percent(part: int, whole: int) -> str:
        if not whole:
            return DASH
        value = (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{value}%"

    @property
    def on_time_rate(self) -> str:
        return self._percent(self.on_time, self.due)

    @property
    def late_rate(self) -> str:
        return self._percent(self.late, self.due)

    @property
    def avg_delay(self) -> str:
        if not self.delays:
            return DASH
        return f"{round(float(Fraction(sum(self.delays), len(self.delays))), 1):g} 天"


def count(data: list[Item], belongs) -> Count:
    result = Count()
    for item in data:
        if belongs(item):
            result.add(item)
    return result


def of_departments(names: set[str]):
    """A department's items: any owner, lead or support, is the department or works in it."""
    return lambda item: bool(item.owner_departments() & names)


def led_by(name: str):
    return lambda item: item.lead == name


# Reading the pages -------------------------------------------------------------------------------


def _text(node) -> str:
    return " ".join(node.text_content().split())


def counter(client, user, **query) -> str:
    """部门行动项's 按时完成率 as its page shows it."""
    client.force_login(user)
    page = lxml.html.fromstring(client.get(reverse("actions:department"), query).content)
    return _text(page.xpath('//*[@data-counter="on_time_rate"]')[0])


@dataclass
class Report:
    on_time_rate: str
    late_rate: str
    avg_delay: str
    departments: dict[str, tuple[str, str]]  # name: (按时完成率, 平均延误)
    owners: dict[str, tuple[str, str]]
    chart: dict[str, str]  # the department chart's bars: name: label
    xlsx_summary: dict[str, object]
    xlsx_departments: dict[str, tuple]
    xlsx_owners: dict[str, tuple]


def _table(page, table_id: str) -> dict[str, tuple[str, str]]:
    rows = {}
    for row in page.xpath(f'//table[@id="{table_id}"]/tbody/tr'):
        cells = [_text(cell) for cell in row.xpath("td")]
        rows[cells[0]] = (cells[5], cells[6])
    return rows


def _chart(svg: str) -> dict[str, str]:
    """The department names on the axis and the labels of their bars, both drawn bottom-up."""
    names = re.findall(r'<g id="on-time-ytick_\d+">.*?<text[^>]*>([^<]*)</text>', svg, re.S)
    labels = re.findall(r"<text[^>]*>(\d+\.\d%)</text>", svg)
    assert len(names) == len(labels)
    return dict(zip(names, labels, strict=True))


def _sheet(book, title: str) -> dict[str, tuple]:
    return {row[0]: row for row in book[title].iter_rows(min_row=2, values_only=True)}


def report(client, user, query: dict) -> Report:
    client.force_login(user)
    job = client.get(reverse("reports:period"), query).context["job"]
    assert jobs.job_run(job_id=job.pk) == RenderJob.State.DONE
    html = client.get(reverse("reports:job_progress", args=[job.pk])).content.decode()
    page = lxml.html.fromstring(html)

    def headline(key: str) -> str:
        value = "contains(@class, 'headline-value') or contains(@class, 'figure-value')"
        return _text(page.xpath(f'//*[@data-metric="{key}"]//div[{value}]')[0])

    download = client.get(reverse("reports:job_download", args=[job.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    svg = html[html.index('id="chart-on-time"') : html.index('id="chart-trend"')]
    return Report(
        on_time_rate=headline("on_time_rate"),
        late_rate=headline("late_rate"),
        avg_delay=headline("avg_delay"),
        departments=_table(page, "table-departments"),
        owners=_table(page, "table-owners"),
        chart=_chart(svg),
        xlsx_summary={row[0]: row[1] for row in book["概览"].iter_rows(min_row=2, values_only=True)},
        xlsx_departments=_sheet(book, "按部门"),
        xlsx_owners=_sheet(book, "按责任人"),
    )


def as_percent(value) -> str:
    return DASH if value is None else f"{value:.1f}%"


def as_days(value) -> str:
    return DASH if value is None else f"{value:g} 天"


# The world and the test --------------------------------------------------------------------------


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The PDF is the page's own template (tests/reports/test_pdf.py reads it); here it only costs time.
    monkeypatch.setattr("reports.period.render_pdf", lambda html: b"%PDF-1.7")
    market = DepartmentFactory(name="市场部")
    departments = {
        "市场部": market,
        "华东区": DepartmentFactory(name="华东区", parent=market),
        "研发一部": DepartmentFactory(name="研发一部"),
    }
    people = {name: UserFactory(name=name, department=departments[home]) for name, home in PEOPLE.items()}
    market.head = people["张伟"]
    market.save()
    departments["研发一部"].head = people["赵磊"]
    departments["研发一部"].save()
    meeting = MeetingFactory(title="经营例会", chair=people["张伟"], department=market)
    staff = UserFactory(name="管理员", is_staff=True)
    return departments, people, meeting, staff


def make(data: list[Item], departments, people, meeting) -> None:
    for n, item in enumerate(data):
        action = make_action(
            title=f"事项{n}",
            meeting=meeting,
            due_date=item.due_date,
            status=item.status,
            progress=100 if item.status == Status.DONE else 0,
            completed_at=item.completed_at,
            completed_on_time=item.on_time,
            lead=people.get(item.lead),
            lead_department=departments.get(item.lead),
            supports=[people[name] for name in item.supports if name != item.lead],
        )
        assert action.pk


# The brief's case: ten overdue items and one completed on time are 1 in 11, not 100 %; and an item
# 市场部 only supports counts for 市场部 in the headline and in its row alike.
TEN_OVERDUE_ONE_ON_TIME = [Item(-5, Status.NOT_STARTED, 0, 9, "王芳") for _n in range(10)] + [
    Item(-8, Status.DONE, -1, 9, "王芳"),
    Item(-3, Status.IN_PROGRESS, 0, 9, "赵磊", ("刘洋",)),
]


# Two owners of one late item in one department: the item counts once in the department's average
# delay (6 days, not 7.3).
TWO_OWNERS_ONE_DEPARTMENT = [
    Item(-10, Status.IN_PROGRESS, 0, 9, "王芳", ("张伟",)),
    Item(-4, Status.DONE, 2, 23, "市场部"),
]


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.lists(items, min_size=1, max_size=14))
@example(data=TEN_OVERDUE_ONE_ON_TIME)
@example(data=TWO_OWNERS_ONE_DEPARTMENT)
def test_every_page_shows_the_same_figures(client, world, data):
    departments, people, meeting, staff = world
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        make(data, departments, people, meeting)
        check(client, data, departments, people, staff)
        transaction.set_rollback(True)
    assert not ActionItem.objects.exists() and not RenderJob.objects.exists()


def check(client, data, departments, people, staff) -> None:
    november = {"period": "month", "day": TODAY.isoformat()}
    market_query = {"scope": "department", "department": departments["市场部"].pk, **november}
    market = report(client, people["张伟"], market_query)
    whole = report(client, staff, {"scope": "organisation", **november})

    # The headline against 部门行动项 and the spreadsheet: 市场部 with 华东区, and the organisation.
    for shown, expected in ((market, count(data, of_departments(MARKET))), (whole, count(data, bool))):
        assert shown.on_time_rate == expected.on_time_rate
        assert shown.late_rate == expected.late_rate
        assert shown.avg_delay == expected.avg_delay
        assert as_percent(shown.xlsx_summary["按时完成率"]) == expected.on_time_rate
        assert as_percent(shown.xlsx_summary["逾期率"]) == expected.late_rate
        assert as_days(shown.xlsx_summary["平均延误天数"]) == expected.avg_delay
    assert counter(client, people["张伟"]) == market.on_time_rate

    # One row per department, by the headline's rule, in the tables, the chart and the spreadsheet of
    # both reports; 部门行动项 of a department without sub-departments shows the same figure.
    views = {
        "华东区": counter(client, people["张伟"], department=departments["华东区"].pk),
        "研发一部": counter(client, people["赵磊"]),
    }
    for shown, names in ((market, MARKET), (whole, set(DEPARTMENTS))):
        expected = {name: count(data, of_departments({name})) for name in names}
        expected = {name: e for name, e in expected.items() if any(of_departments({name})(i) for i in data)}
        assert set(shown.departments) == set(expected) == set(shown.xlsx_departments)
        # The chart draws the departments with something due.
        assert shown.chart == {name: e.on_time_rate for name, e in expected.items() if e.due}
        for name, e in expected.items():
            assert shown.departments[name] == (e.on_time_rate, e.avg_delay)
            row = shown.xlsx_departments[name]
            assert (as_percent(row[5]), as_days(row[6])) == (e.on_time_rate, e.avg_delay)
        for name, view in views.items():
            if name in names:
                assert view == (expected[name].on_time_rate if name in expected else DASH)

    # One row per lead of the scope's items; in 市场部's report only its own people and departments.
    for shown, scope, homes in ((market, MARKET, MARKET), (whole, None, set(DEPARTMENTS))):
        in_scope = [i for i in data if scope is None or of_departments(scope)(i)]
        leads = {i.lead for i in in_scope if PEOPLE.get(i.lead, i.lead) in homes}
        assert set(shown.owners) == leads == set(shown.xlsx_owners)
        for name in leads:
            e = count(in_scope, led_by(name))
            assert shown.owners[name] == (e.on_time_rate, e.avg_delay)
            assert as_percent(shown.xlsx_owners[name][5]) == e.on_time_rate
