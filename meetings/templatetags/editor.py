"""Template helpers of the minutes editor.

A large meeting has more than a thousand editable fields, so each is rendered by one tag in Python
rather than by an included template: the page stays fast whatever the meeting's size.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from meetings import editing, editor_blocks

register = template.Library()


@register.simple_tag
def base_value(obj, entity: str, name: str) -> str:
    """The field as the server compares it when the page sends it back as the base of a save."""
    return editing.to_client(obj, editor_blocks.field_for(entity, name))


@register.simple_tag(takes_context=True)
def block_of(context, kind, obj) -> str:
    """One block of a kind (editor_blocks.BlockKind), with `obj` under the name its template reads."""
    template = context.template.engine.get_template(kind.template)
    with context.push(**{kind.row_name: obj}):
        return template.render(context)


@register.simple_tag
def save_key(entity: str, obj, name: str) -> str:
    return f"{entity}:{obj.pk}:{name}"


@register.simple_tag
def field(
    obj,
    entity: str,
    name: str,
    label,
    *,
    multiline: bool = False,
    rows: int = 3,
    type: str = "text",  # noqa: A002 - the input's type attribute
    placeholder="",
    hide_label: bool = False,
):
    """An autosaving input or textarea with its label and message line. Every value is escaped."""
    key = escape(f"{entity}:{obj.pk}:{name}")
    value = editing.to_client(obj, editor_blocks.field_for(entity, name))
    element_id = escape(f"f-{entity}-{obj.pk}-{name}")
    label_class = "form-label small visually-hidden" if hide_label else "form-label small"
    common = (
        f'id="{element_id}" data-save="{key}" data-base="{escape(value)}" placeholder="{escape(placeholder)}"'
    )
    if multiline:
        # A newline right after <textarea> is eaten by the HTML parser; keep a leading one.
        text = "\n" + value if value.startswith("\n") else value
        control = (
            f'<textarea class="form-control form-control-sm autosize" rows="{int(rows)}" {common}>'
            f"{escape(text)}</textarea>"
        )
    else:
        kind = escape(type)
        control = (
            f'<input class="form-control form-control-sm" type="{kind}" {common} value="{escape(value)}">'
        )
    # Plain f-strings with escape() on every value: this tag runs a thousand times on a large meeting.
    return mark_safe(  # noqa: S308
        f'<div class="ed-field"><label class="{label_class}" for="{element_id}">{escape(label)}</label>'
        f"{control}"
        f'<div class="ed-msg" data-msg-for="{key}"></div></div>'
    )
