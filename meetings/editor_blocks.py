"""The kinds of block the minutes editor is made of, each described once, and the page built from them.

A block kind (the meeting's header, an attendance line, an agenda item, a speaker report, a decision, an
action item) says which fields of its rows the editor saves, which rows of a meeting its ids may name,
how its rows are loaded for the page, where a new block goes, its template, how others' new blocks are
found, how one is added or deleted and how a field save is written. The editor's views
(meetings/views/editor.py) and meetings.services.minutes_field_save ask only this registry.

meetings registers its own kinds (meetings/editor_kinds.py) from MeetingsConfig.ready(); an app built
on meetings registers the kinds it owns from its own AppConfig.ready() (actions/minutes.py: action
items). So the editor never imports the apps above it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists

from meetings.editing import attendance_counts
from meetings.models import Meeting

# Where a kind's templates go on the page, besides its blocks: "section" after 问题与决议, "in_decision"
# inside every decision block (under its text), "add_form" once at the end (the add forms the page
# copies in when one is opened).
SLOTS = ("section", "in_decision", "add_form")


@dataclass(frozen=True)
class BlockKind:
    # The entity of the page's save keys ("decision:12:text"), of the news poll's ids and of blocks.
    name: str
    model: type
    fields: tuple = ()  # the editing.Field the editor saves one at a time
    # Which row of a meeting a pk may name: the lookup from a row to its meeting's id ("pk": the meeting).
    meeting_path: str = "meeting_id"
    # The order kinds are loaded and sent in: parents before children.
    position: int = 0
    template: str = ""  # the block's template ("" for the meeting, which is the page itself)
    context_name: str = ""  # the name the template reads its row under (the kind's name by default)
    # load(meeting, context): put the kind's rows into the page's context (in position order).
    load: Callable[[Meeting, dict], None] | None = None
    # rows(context): the kind's rows in a loaded context, to pick one block or the new ones.
    rows: Callable[[dict], list] | None = None
    target: Callable[[object], str] | None = None  # target(row): the list a new block goes into
    # news(meeting, after): the kind's rows added after the id the page has, as a queryset.
    news: Callable | None = None
    add_as: str = ""  # the kind in the add URL ("guest" adds an attendance line)
    # add(meeting, by, payload) -> row; raises editing.Refused or ValidationError for the page.
    add: Callable | None = None
    delete: Callable | None = None  # delete(meeting, pk): remove the row if it is still there
    # write(meeting, obj, changes, by): how a field save is written; None: an UPDATE of the changed
    # columns with a line in the meeting's history (meetings.services.minutes_field_save).
    write: Callable | None = None
    # answer(meeting, obj, field) -> dict: what a field save's answer carries besides the value.
    answer: Callable | None = None
    slots: dict = field(default_factory=dict)  # SLOTS → template

    def field(self, name: str):
        return next((f for f in self.fields if f.name == name), None)

    @property
    def row_name(self) -> str:
        return self.context_name or self.name


_KINDS: dict[str, BlockKind] = {}


def register(*kinds: BlockKind) -> None:
    """Add kinds of block to the editor (again: replaced by name)."""
    for kind in kinds:
        _KINDS[kind.name] = kind


def kinds() -> list[BlockKind]:
    return sorted(_KINDS.values(), key=lambda k: k.position)


def kind(name: str) -> BlockKind | None:
    return _KINDS.get(name)


def field_for(entity: str, name: str):
    """The editing.Field the page saves as "<entity>:<pk>:<name>", or None."""
    block_kind = _KINDS.get(entity)
    return None if block_kind is None else block_kind.field(name)


def add_kinds() -> dict[str, str]:
    """What the editor's add forms create: the kind in the add URL → the block that answers for it."""
    return {k.add_as or k.name: k.name for k in kinds() if k.add is not None}


def for_add(name: str) -> BlockKind | None:
    block = add_kinds().get(name)
    return None if block is None else _KINDS[block]


# --- What the editor page shows: one query per kind of row, whatever the meeting's size.


def editor_context(meeting: Meeting, only: tuple[str, int] | None = None) -> dict:
    """Everything the editor renders, grouped the way the page reads it (agenda items with their
    reports and decisions, decisions with what is made under them). `only` picks one block of it."""
    context = {"meeting": meeting}
    for block_kind in kinds():
        if block_kind.load is not None:
            block_kind.load(meeting, context)
    context["slots"] = {slot: [k.slots[slot] for k in kinds() if slot in k.slots] for slot in SLOTS}
    if only is not None:
        name, pk = only
        rows = _KINDS[name].rows(context)
        context["block"] = next((obj for obj in rows if obj.pk == pk), None)  # None: deleted since
    return context


def block_target(name: str, obj) -> str:
    """Where the page inserts a new block: the list it belongs to."""
    return _KINDS[name].target(obj)


def news_kinds() -> list[BlockKind]:
    """The kinds the page polls for: the page sends the highest id it holds of each."""
    return [k for k in kinds() if k.news is not None]


def editor_news(meeting: Meeting, after: dict[str, int]) -> dict:
    """Blocks someone else added after the ids the page already has, with where each goes, and the
    attendance counts. One query asks whether there is anything new; only then is the page loaded."""
    counts = attendance_counts(meeting.attendances.all())
    probes = {k.name: Exists(k.news(meeting, after.get(k.name, 0))) for k in news_kinds()}
    fresh = Meeting.objects.filter(pk=meeting.pk).values(**probes).first() or {}
    if not any(fresh.values()):
        return {"blocks": [], "counts": counts}
    context = editor_context(meeting)
    blocks = [
        {"kind": k, "obj": obj, "target": k.target(obj)}
        for k in news_kinds()
        if fresh[k.name]
        for obj in sorted(k.rows(context), key=lambda o: o.pk)
        if obj.pk > after.get(k.name, 0)
    ]
    return {**context, "blocks": blocks, "counts": counts}
