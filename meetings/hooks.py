"""The seams through which the apps built on meetings add to a meeting.

`meetings` is the ground floor: it never imports `actions` or `reports`. Where a meeting's page, its
visibility, its history or the snapshot its publication stores needs something an app above owns (the
action items, the carry-over review), that app registers a function here from its AppConfig.ready(),
and meetings calls whatever is registered, in the order the apps are installed. Each seam is a plain
list, filled once at start-up through `add`, which registers a function only once:

- `page_sections`: `section(request, meeting, bound) -> dict`, what the meeting page adds to its
  context, and under `templates` the sections it shows after the decisions; `bound` holds the forms
  that failed validation, by name, to be shown again as typed.
- `editor_sections`: `section(request, meeting, context) -> dict`, the same for the minutes editor's
  page (`context`: what the editor has loaded so far).
- `detail_prefetches`: `prefetches(full) -> list[Prefetch]`, rows the meeting page shows, loaded with the
  meeting (`full`: the reader may see the confidential parts).
- `viewers`: `viewers(user) -> Q` on Meeting, people who may see a meeting that is not theirs
  otherwise: the owners of its action items. Never confidential meetings (meetings.policy).
- `history_sources`: `lines(meeting, full, limit) -> list[HistoryLine]`, entries of other logs shown in
  the meeting's 修改记录.
- `history_choices`: field name → the choices whose labels that field's codes show in the history.
- `snapshot_parts`: `build(meeting, today, document) -> dict`, what a published version stores beyond
  the meeting's own content.
- `meeting_created`: a signal sent inside the transaction that creates a meeting (sender: Meeting,
  `meeting`): actions dates the deadlines that waited for it ("下次例会前").
"""

from collections.abc import Callable

from django.dispatch import Signal

page_sections: list[Callable] = []
editor_sections: list[Callable] = []
detail_prefetches: list[Callable] = []
viewers: list[Callable] = []
history_sources: list[Callable] = []
history_choices: dict[str, list] = {}

meeting_created = Signal()


# build(meeting, today, document) -> the keys a part adds to the document built so far. A part marks
# what a reader without full access may not see with "confidential": true; meetings.document drops
# every such entry, whichever part wrote it.
snapshot_parts: list[Callable] = []


def add(seam: list, function: Callable) -> None:
    """Register `function` on a seam once, however often an app's ready() runs."""
    if function not in seam:
        seam.append(function)
