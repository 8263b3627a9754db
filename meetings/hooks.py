"""The seams through which the apps built on meetings add to a meeting.

`meetings` is the ground floor: it never imports `actions` or `reports`. Where a meeting's page, its
visibility, its history or the snapshot its publication stores needs something an app above owns (the
action items, the carry-over review), that app registers a function here from its AppConfig.ready(),
and meetings calls whatever is registered, in the order the apps are installed. Each seam is a plain
list, filled once at start-up:

- `page_sections`: `section(request, meeting, bound) -> dict`, what the meeting page adds to its
  context; `bound` holds the forms that failed validation, by name, to be shown again as typed.
- `editor_sections`: `section(meeting) -> dict`, the same for the minutes editor's page.
- `detail_prefetches`: `prefetches(full) -> list[Prefetch]`, rows the meeting page shows, loaded with the
  meeting (`full`: the reader may see the confidential parts).
- `viewers`: `viewers(user) -> Q` on Meeting, people who may see a meeting that is not theirs
  otherwise: the owners of its action items. Never confidential meetings (meetings.policy).
- `history_sources`: `lines(meeting, full, limit) -> list[HistoryLine]`, entries of other logs shown in
  the meeting's 修改记录.
- `history_choices`: field name → the choices whose labels that field's codes show in the history.
- `snapshot_parts`: `SnapshotPart`s: what a published version stores beyond the meeting's own content.
- `meeting_created`: a signal sent inside the transaction that creates a meeting (sender: Meeting,
  `meeting`): actions dates the deadlines that waited for it ("下次例会前").
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal

page_sections: list[Callable] = []
editor_sections: list[Callable] = []
detail_prefetches: list[Callable] = []
viewers: list[Callable] = []
history_sources: list[Callable] = []
history_choices: dict[str, list] = {}

meeting_created = Signal()


@dataclass(frozen=True)
class SnapshotPart:
    """Part of the stored minutes: `build(meeting, today, document)` returns the keys it adds to the
    document built so far;
    `for_reader(document)` removes from a copy what a reader without full access may not see, and
    `is_confidential(document)` tells whether there is anything to remove."""

    build: Callable
    for_reader: Callable
    is_confidential: Callable


snapshot_parts: list[SnapshotPart] = []
