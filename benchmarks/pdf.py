"""Time the minutes PDF end to end, and compare with WeasyPrint alone. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/pdf.py [--runs 5]

Rows:
  typical  15 agenda items, 15 reports, 10 decisions, 25 actions    target ≤ 0.5 s
  large    40 agenda items, 80 reports, 60 decisions, 200 actions   target ≤ 2 s and ≤ 1.5 MB
  renderer WeasyPrint's own time on the already-rendered HTML of each meeting; our time / its time ≤ 1.15

Our render pauses Python's cycle collector (reports.pdf.render_pdf), which plain WeasyPrint does not, so
the script also times WeasyPrint with the collector paused ("wp, gc off"): ours / that is what our data
loading, template and glyph check add on top of the renderer.

"Our time" is what a download costs: loading the meeting (minutes_document), building the HTML, the glyph
check, and WeasyPrint. Uses a throw-away SQLite database, so it never touches real data.
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPORT = (
    "本周完成华东区三场客户拜访,新增有效线索42条,线索有效率达到24%,较上周提升3个百分点。\n"
    "- 展会物料已全部到位,宣传册按新版VI重新印制\n"
    "- 官网落地页改版上线,跳出率下降至38%\n"
    "- **风险**:营销自动化系统选型进度滞后一周,需协调研发资源\n"
    "下周计划完成竞品动态简报,并与销售部对接展会线索移交。"
)


def build(size: str, users, departments):
    from actions.models import ActionOwner
    from actions.services import action_create
    from meetings import services
    from meetings.models import Attendance, Meeting

    items, reports, decisions, actions = {
        "typical": (15, 15, 10, 25),
        "large": (40, 80, 60, 200),
    }[size]
    start = datetime.datetime(2026, 3, 10, 14, tzinfo=datetime.UTC)
    meeting = services.meeting_create(
        by=users[0],
        title=f"2026年第一季度运营会议({size})",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        chair=users[0],
        recorder=users[1],
        location="总部3楼大会议室",
        background="回顾第一季度各项指标完成情况,部署第二季度重点工作。" * 3,
    )
    Meeting.objects.filter(pk=meeting.pk).update(summary="第二季度以渠道优化和线索转化为重点。" * 3)
    for user in users:
        Attendance.objects.get_or_create(meeting=meeting, user=user)
    agenda = [
        services.agenda_item_add(
            meeting=meeting, title=f"第{n + 1}项议题:渠道优化与线索转化", presenter=users[n % 8]
        )
        for n in range(items)
    ]
    for n in range(reports):
        services.speaker_report_add(agenda_item=agenda[n % items], speaker=users[n % 8], content=REPORT)
    made = [
        services.decision_add(
            meeting=meeting,
            problem="线索转化率偏低,销售跟进不及时。",
            discussion="讨论了营销自动化工具与线索分级的方案,各部门意见一致。",
            text=f"第{n + 1}项:上线营销自动化工具,6月底前完成选型并试运行。",
        )
        for n in range(decisions)
    ]
    for n in range(actions):
        action = action_create(
            title=f"完成第{n + 1}项整改并提交书面报告",
            owners=[(users[n % 8], ActionOwner.Role.LEAD), (users[(n + 3) % 8], ActionOwner.Role.SUPPORT)],
            by=users[0],
            meeting=meeting,
            due_date=datetime.date(2026, 4, 1) + datetime.timedelta(days=n % 60),
            deadline_text="两周内",
        )
        action.decisions.add(made[n % decisions])
    return meeting


def measure(meeting, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader
    from weasyprint import HTML

    from meetings.document import minutes_document
    from reports import minutes
    from reports.pdf import StaticOnlyURLFetcher, _cycle_collector_paused, static_base_url

    with CaptureQueriesContext(connection) as queries:
        minutes_document(meeting)
    minutes.minutes_pdf(minutes_document(meeting))  # warm up: font character maps, template compilation
    timings: dict[str, list[float]] = {
        key: [] for key in ("ours", "ours_cpu", "wp", "wp_cpu", "wp_nogc", "doc", "html")
    }
    data = b""
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        document = minutes_document(meeting)
        timings["doc"].append(time.perf_counter() - started)
        data = minutes.minutes_pdf(document)
        timings["ours"].append(time.perf_counter() - started)
        timings["ours_cpu"].append(time.process_time() - cpu)
        started = time.perf_counter()
        html = minutes.minutes_html(document, for_pdf=True)
        timings["html"].append(time.perf_counter() - started)
        started, cpu = time.perf_counter(), time.process_time()
        HTML(string=html, base_url=static_base_url(), url_fetcher=StaticOnlyURLFetcher()).write_pdf()
        timings["wp"].append(time.perf_counter() - started)
        timings["wp_cpu"].append(time.process_time() - cpu)
        started = time.perf_counter()
        with _cycle_collector_paused():
            HTML(string=html, base_url=static_base_url(), url_fetcher=StaticOnlyURLFetcher()).write_pdf()
        timings["wp_nogc"].append(time.perf_counter() - started)
    result = {key: statistics.median(values) for key, values in timings.items()}
    result.update(pages=len(PdfReader(io.BytesIO(data)).pages), bytes=len(data), queries=len(queries))
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["typical", "large"])
    args = parser.parse_args()

    tmp = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.utils import translation

    from meetings.models import Department, User

    logging.getLogger("reports").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    translation.activate("zh-hans")
    departments = [Department.objects.create(name=name) for name in ("市场部", "研发一部", "用户运营部")]
    people = ["张伟", "李明", "王芳", "赵磊", "刘洋", "陈静", "杨敏", "孙浩"]
    users = [
        User.objects.create_user(f"u{n}", None, name=name, job_title="经理", department=departments[n % 3])
        for n, name in enumerate(people)
    ]
    targets = {"typical": (0.5, None), "large": (2.0, 1.5 * 1024 * 1024)}
    print(
        f"{'meeting':<8} {'ours':>7} {'cpu':>6} {'weasyprint':>10} {'cpu':>6} {'ratio':>5} {'(cpu)':>5} "
        f"{'pages':>5} {'size':>7} {'queries':>7} {'document':>8} {'html':>6} {'wp, gc off':>10} {'ratio':>5}"
    )
    verdicts = []
    for size in ("typical", "large"):
        if args.only and size != args.only:
            continue
        r = measure(build(size, users, departments), args.runs)
        seconds, max_bytes = targets[size]
        ratio, cpu_ratio = r["ours"] / r["wp"], r["ours_cpu"] / r["wp_cpu"]
        print(
            f"{size:<8} {r['ours']:>6.3f}s {r['ours_cpu']:>5.2f}s {r['wp']:>9.3f}s {r['wp_cpu']:>5.2f}s "
            f"{ratio:>5.2f} {cpu_ratio:>5.2f} {r['pages']:>5} {r['bytes'] / 1024:>5.0f}KB {r['queries']:>7} "
            f"{r['doc'] * 1000:>6.0f}ms {r['html'] * 1000:>4.0f}ms "
            f"{r['wp_nogc']:>9.3f}s {r['ours'] / r['wp_nogc']:>5.2f}"
        )
        fits = r["ours"] <= seconds and (max_bytes is None or r["bytes"] <= max_bytes)
        limit = f"≤ {seconds} s" + (f" and ≤ {max_bytes / 1024 / 1024:.1f} MB" if max_bytes else "")
        ratio_ok = "met" if ratio <= 1.15 else "MISSED"
        verdicts.append(f"{size}: {limit} {'met' if fits else 'MISSED'}; ratio ≤ 1.15 {ratio_ok}")
    print(*verdicts, sep="\n")
    print(f"(median of {args.runs} runs after a warm-up; wall-clock and CPU seconds)")


if __name__ == "__main__":
    main()
