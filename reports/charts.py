"""The period report's charts as SVG, drawn by matplotlib on the server, so the web page and the PDF show
the same picture and nothing is drawn by hand.

Thread safety: each chart is its own `matplotlib.figure.Figure` with an Agg/SVG canvas; pyplot (and its
global "current figure") is never imported. The few rcParams the SVG writer reads at save time are set
once, when this module is imported, and never changed afterwards.
"""

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

FONT = ["Noto Sans CJK SC", "DejaVu Sans"]
# Text stays text in the SVG ("none"): the browser and WeasyPrint set it in Noto Sans CJK SC, so Chinese
# labels are real characters (searchable, copyable), and the files stay small. A fixed hash salt keeps
# the element ids, hence the file, the same for the same data.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "period-report",
        "font.family": "sans-serif",
        "font.sans-serif": FONT,
        "axes.unicode_minus": False,
    }
)

# How many departments a chart shows (the busiest); the tables list them all.
MAX_BARS = 20
MIN_BAR_SLOTS = 4  # a chart of one department is as tall as one of four, with bars as thick
BLUE, RED, GREY, GREEN = "#0d6efd", "#dc3545", "#adb5bd", "#198754"


def _svg(figure: Figure, prefix: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG goes inline in HTML
    # Scale with the page instead of a fixed size in points; the viewBox keeps the proportions.
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"',
        r'<svg\1 style="max-width:100%;height:auto"',
        svg,
        count=1,
    )
    # Three charts share one page: give each its own element ids (matplotlib numbers them per figure).
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    return re.sub(r'(href="#|url\(#)([^")]+)', rf"\1{prefix}-\2", svg)


def _figure(width: float, height: float) -> tuple[Figure, object]:
    figure = Figure(figsize=(width, height), dpi=72)
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _busiest(rows: list[dict], key) -> list[dict]:
    return sorted(rows, key=key, reverse=True)[:MAX_BARS]


def _bar_slots(axes, count: int) -> None:
    """Room for at least MIN_BAR_SLOTS bars, so one or two departments get bars of the usual
    thickness rather than bars that fill the whole chart."""
    extra = max(MIN_BAR_SLOTS - count, 0) / 2
    axes.set_ylim(-0.5 - extra, count - 0.5 + extra)


def _empty(axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, color="#6c757d")
    axes.set_axis_off()


def on_time_by_department(rows: list[dict], target: float | None = None) -> str:
    """Horizontal bars: 按时完成率 per department (departments with items due), target as a line."""
    rated = _busiest([r for r in rows if r["on_time_rate"] is not None], key=lambda r: r["due"])
    rated.reverse()  # barh draws bottom-up; the busiest goes on top
    figure, axes = _figure(7, 0.35 * max(len(rated), MIN_BAR_SLOTS) + 1)
    if not rated:
        _empty(axes, _("本期没有到期的行动项"))
        return _svg(figure, "on-time")
    values = [r["on_time_rate"] for r in rated]
    # Positions, not category names: a department called "2026" must not become a date axis.
    positions = range(len(rated))
    bars = axes.barh(positions, values, color=BLUE, height=0.6)
    _bar_slots(axes, len(rated))
    axes.set_yticks(positions, [r["name"] for r in rated])
    axes.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=3, fontsize=9)
    axes.set_xlim(0, 110)
    axes.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    axes.set_xlabel(_("按时完成率"))
    if target is not None:
        axes.axvline(target, color=RED, linestyle="--", linewidth=1)
        axes.text(
            target,
            1.0,  # just above the plot, whatever the number of bars
            _("目标 %(target)s%%") % {"target": f"{target:g}"},
            color=RED,
            fontsize=8,
            ha="center",
            va="bottom",
            transform=axes.get_xaxis_transform(),
        )
    return _svg(figure, "on-time")


def trend_line(points: list[dict], target: float | None = None) -> str:
    """按时完成率 over the last periods; a gap where a period had nothing due."""
    figure, axes = _figure(7, 2.8)
    positions = range(len(points))
    values = [p["rate"] if p["rate"] is not None else float("nan") for p in points]
    if all(p["rate"] is None for p in points):
        _empty(axes, _("近期没有到期的行动项"))
        return _svg(figure, "trend")
    axes.plot(positions, values, marker="o", color=BLUE, linewidth=2)
    axes.set_xticks(positions, [p["label"] for p in points])
    for x, value in zip(positions, values, strict=True):
        if value == value:  # not NaN
            axes.annotate(
                f"{value:.1f}", (x, value), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8
            )
    axes.set_ylim(0, 110)
    axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    axes.set_ylabel(_("按时完成率"))
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    if target is not None:
        axes.axhline(target, color=RED, linestyle="--", linewidth=1, label=_("目标"))
        axes.legend(loc="lower left", fontsize=8, frameon=False)
    return _svg(figure, "trend")


def open_overdue_by_department(rows: list[dict]) -> str:
    """Stacked horizontal bars per department: open and not overdue, plus overdue."""
    shown = _busiest([r for r in rows if r["open"]], key=lambda r: (r["open"], r["overdue"]))
    shown.reverse()
    figure, axes = _figure(7, 0.35 * max(len(shown), MIN_BAR_SLOTS) + 1)
    if not shown:
        _empty(axes, _("没有未完成的行动项"))
        return _svg(figure, "open-overdue")
    positions = range(len(shown))
    overdue = [r["overdue"] for r in shown]
    on_track = [r["open"] - r["overdue"] for r in shown]
    axes.barh(positions, on_track, color=GREY, height=0.6, label=_("未逾期"))
    bars = axes.barh(positions, overdue, left=on_track, color=RED, height=0.6, label=_("已逾期"))
    _bar_slots(axes, len(shown))
    axes.set_yticks(positions, [r["name"] for r in shown])
    axes.bar_label(bars, labels=[str(r["open"]) for r in shown], padding=3, fontsize=9)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(_("未完成行动项"))
    # Above the plot, so it never covers a bar.
    axes.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=2, fontsize=8, frameon=False)
    return _svg(figure, "open-overdue")


def data_uri(svg: str) -> str:
    """The SVG as an <img> source for the PDF: WeasyPrint draws it as an image (with the same fonts)
    instead of running matplotlib's inline styles through the page's CSS."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def report_charts(report) -> dict[str, str]:
    return {
        "on_time": on_time_by_department(report.departments, report.target),
        "trend": trend_line(report.trend, report.target),
        "open_overdue": open_overdue_by_department(report.departments),
    }
