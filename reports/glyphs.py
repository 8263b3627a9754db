"""Which characters the minutes' fonts cannot draw.

WeasyPrint silently draws an empty box for a character that no installed font has (an emoji, a rare
character such as 𪚥). We look the text up in the fonts' character maps before rendering and log a
warning naming the characters, so that somebody can install a font that has them.
"""

import functools
import logging
import subprocess

from fontTools.ttLib import TTCollection, TTFont

logger = logging.getLogger(__name__)

# The families the minutes' stylesheet names, in the order it falls back through them.
FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def _font_file(family: str) -> tuple[str, int] | None:
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{file}\n%{index}", family], capture_output=True, text=True, timeout=10
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) != 2 or not found[0]:
        return None
    return found[0], int(found[1] or 0)


@functools.cache
def covered_code_points() -> frozenset[int]:
    """Every code point the fonts map (read once per process: the CJK fonts are large)."""
    points: set[int] = set()
    for family in FAMILIES:
        found = _font_file(family)
        if found is None:
            continue
        path, index = found
        try:
            if path.lower().endswith((".ttc", ".otc")):
                font = TTCollection(path, lazy=True).fonts[index]
            else:
                font = TTFont(path, lazy=True)
            points.update(font.getBestCmap() or {})
        except Exception:  # an unreadable font file: report everything as missing rather than fail
            logger.exception("Could not read the character map of %s", path)
    return frozenset(points)


def missing_characters(texts) -> list[str]:
    """The distinct characters in `texts` that none of the fonts can draw, in first-seen order."""
    covered = covered_code_points()
    if not covered:
        return []  # no font information at all: nothing useful to say per character
    missing: dict[str, None] = {}
    for text in texts:
        for char in set(text):
            # Whitespace and control characters are never drawn as glyphs.
            if ord(char) > 0x7F and ord(char) not in covered and not char.isspace():
                missing.setdefault(char, None)
    return sorted(missing)


def warn_about_missing_glyphs(texts, *, what: str) -> list[str]:
    missing = missing_characters(texts)
    if missing:
        logger.warning(
            "%s: the installed fonts have no glyph for %s (%s)",
            what,
            "".join(missing[:50]),
            ", ".join(f"U+{ord(c):04X}" for c in missing[:50]),
        )
    return missing
