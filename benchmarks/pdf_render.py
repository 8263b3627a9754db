"""Time the minutes PDF for a long meeting. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/pdf_render.py [--items 40] [--runs 5]

Uses a throw-away SQLite database, so it never touches real data.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--items", type=int, default=40, help="agenda items (each with a report and an action)"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from django.utils import timezone, translation
    from pypdf import PdfReader

    from actions.models import ActionOwner
    from actions.services import action_create
    from meetings import services
    from meetings.models import User
    from reports.pdf import render_pdf

    call_command("migrate", verbosity=0)
    translation.activate("zh-hans")
    user = User.objects.create_user("bench", None, name="张伟", job_title="市场部经理")
    meeting = services.meeting_create(
        by=user,
        title="2026年第一季度运营会议",
        starts_at=timezone.now(),
        chair=user,
        recorder=user,
        background="回顾第一季度各项指标完成情况,部署第二季度重点工作。" * 5,
    )
    for n in range(args.items):
        item = services.agenda_item_add(
            meeting=meeting, title=f"第{n + 1}项议题:渠道优化与线索转化", presenter=user
        )
        services.speaker_report_add(
            agenda_item=item, speaker=user, content="全网累计曝光量超过500万次,线索有效率达到24%。" * 8
        )
        decision = services.decision_add(
            meeting=meeting, problem="转化率偏低", discussion="讨论了营销自动化", text="上线营销自动化工具"
        )
        action = action_create(
            title=f"完成第{n + 1}项整改并提交报告",
            owners=[(user, ActionOwner.Role.LEAD)],
            by=user,
            meeting=meeting,
            due_date=timezone.localdate(),
        )
        action.decisions.add(decision)

    from meetings.selectors import meeting_for_detail

    timings, data = [], b""
    for _ in range(args.runs):
        started = time.perf_counter()
        loaded = meeting_for_detail(meeting_id=meeting.pk, user=user)
        html = render_to_string(
            "reports/minutes.html",
            {
                "meeting": loaded,
                "is_draft": True,
                "generated_at": timezone.localtime(),
                "html_lang": "zh-CN",
                "for_pdf": True,
            },
        )
        data = render_pdf(html)
        timings.append(time.perf_counter() - started)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    print(f"agenda items: {args.items}, pages: {pages}, size: {len(data) / 1024:.0f} KB")
    print(
        f"render time over {args.runs} runs: median {statistics.median(timings) * 1000:.0f} ms, "
        f"min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
