"""What the fuzz tests send: any JSON, any bytes, and strings a person (or a broken script) might type."""

import contextlib
import operator

from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st

FUZZ = settings.get_profile("fuzz")

HUGE_INTS = st.sampled_from([2**31, 2**63 - 1, 2**63, 10**20, -(2**63) - 1, 10**400])

# Strings that reach the parsers' edges: dates PostgreSQL or Python refuse, numbers no column holds,
# markup, NUL (PostgreSQL refuses it in text), digits str.isdigit() accepts and int() does not.
SPECIAL = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "标题\x00",
        "0",
        "-1",
        "1.5",
        "1e20",
        "99999999999999999999",
        "9" * 30,
        "²",
        "١٢",
        "0001-01-01",
        "9999-12-31",
        "2026-02-30",
        "2026-13-01",
        "2026-03-03T25:00",
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "2026-03-03T08:00+14:00",
        "<script>alert(1)</script>",
        "<b onclick=x>粗体</b>",
        "**粗体** - 列表\n1. 一",
        "u:",
        "u:abc",
        "u:99999999999999999999",
        "t:",
        "t:" + "名" * 100,
        "两周内",
        "每周五",
        "下次例会前",
        "3月15日前",
        "2月30日前",
        "13月40日前",
        "持续进行",
        "每月",
        "明年底前",
        "\r\n\r\n",
        "\ud7ff\ue000\U0010ffff",
    ]
)
LONG = st.builds(operator.mul, st.sampled_from(["字", "a", "\x00", "<", "\n"]), st.integers(1_000, 100_000))
TEXT = st.one_of(st.text(max_size=40), SPECIAL, LONG)
JSON_NUMBERS = st.one_of(
    st.integers(), HUGE_INTS, st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0, -1, 0.5])
)
JSON_SCALARS = st.one_of(st.none(), st.booleans(), JSON_NUMBERS, TEXT)
JSON = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
RAW_BODIES = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b"{", b"\xff\xfe\x00{", b"[" * 50_000, b'{"a": 1e999}', b'{"a": NaN}', b"\xef\xbb\xbf{}"]
    ),
)


def object_with(keys: list[str], values=JSON) -> st.SearchStrategy:
    """A JSON object using the names an endpoint reads (and others), so the examples reach its code."""
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), values, max_size=len(keys) + 1)


@contextlib.contextmanager
def rolled_back():
    """One example's writes, undone afterwards, so examples do not pile up rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
