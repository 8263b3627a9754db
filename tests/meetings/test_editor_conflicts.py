"""The per-field optimistic check: a save applies only over the text it was based on."""

import pytest

from meetings.editing import may_apply


@pytest.mark.parametrize(
    ("current", "base", "new", "applies"),
    [
        ("原文", "原文", "新文", True),  # nobody else changed it
        ("他人改过", "原文", "新文", False),  # stale: the user must choose
        ("新文", "原文", "新文", True),  # the same text was already saved (a retry)
        ("", "", "第一次填写", True),
        ("他人先填了", "", "我也填了", False),
        ("第一行\r\n第二行", "第一行\n第二行", "新", True),  # line endings do not make a conflict
    ],
)
def test_may_apply(current, base, new, applies):
    assert may_apply(current=current, base=base, new=new) is applies
