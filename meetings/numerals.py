"""Chinese numerals for numbering decisions and sections: 决议一, 决议十二."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五. Numbers above 999 stay Arabic."""
    if number < 0 or number > 999:
        return str(number)
    if number < 10:
        return DIGITS[number]
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    parts = []
    if hundreds:
        parts.append(DIGITS[hundreds] + "百")
        if tens == 0 and ones:
            parts.append("零")
    if tens:
        # 十二 rather than 一十二 when there are no hundreds.
        parts.append(("" if tens == 1 and not hundreds else DIGITS[tens]) + "十")
    if ones:
        parts.append(DIGITS[ones])
    return "".join(parts)


def ordinal_for_language(number: int) -> str:
    """Chinese numerals when the active language is Chinese, Arabic numerals otherwise."""
    language = get_language() or "zh-hans"
    return chinese_numeral(number) if language.startswith("zh") else str(number)


def decision_label(number) -> str:
    """决议三 / Decision 3: the same wording as Decision.label, from a stored number."""
    return _("决议%(number)s") % {"number": ordinal_for_language(int(number))}
