"""Numbers and dates written in Vietnamese words, as official documents write them (“bằng chữ”).

``date_in_words(date(1990, 5, 12))`` → ``Ngày mười hai tháng năm năm một nghìn chín trăm chín mươi``.
Readings follow common official usage: 1 after a ten of twenty or more is “mốt” (21 “hai mươi mốt”), 5 after
a ten is “lăm” (15 “mười lăm”), 4 after a ten of twenty or more is “tư” (24 “hai mươi tư”), a zero ten
inside a hundred is “linh” (105 “một trăm linh năm”), a zero hundred inside a thousand is “không trăm”
(2018 “hai nghìn không trăm mười tám”); the fourth month is “tháng tư”.
"""

from __future__ import annotations

import datetime as dt

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu", "tỷ")


def _below_hundred(number: int) -> str:
    tens, ones = divmod(number, 10)
    if tens == 0:
        return DIGITS[ones]
    head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
    if ones == 0:
        return head
    if ones == 5:
        tail = "lăm"
    elif ones == 1 and tens > 1:
        tail = "mốt"
    elif ones == 4 and tens > 1:
        tail = "tư"
    else:
        tail = DIGITS[ones]
    return f"{head} {tail}"


def _below_thousand(number: int, *, inside: bool) -> str:
    """``number`` < 1000; ``inside``: a higher group precedes it, so its zero hundreds are read out."""
    hundreds, rest = divmod(number, 100)
    if hundreds == 0 and not inside:
        return _below_hundred(rest)
    words = f"{DIGITS[hundreds]} trăm"
    if rest == 0:
        return words
    if rest < 10:
        return f"{words} linh {DIGITS[rest]}"
    return f"{words} {_below_hundred(rest)}"


def number_in_words(number: int) -> str:
    """A whole number from 0 to 999 999 999 999 in Vietnamese words (lower case)."""
    if number < 0 or number >= 10**12:
        raise ValueError("Only whole numbers from 0 to 999 999 999 999 are written in words.")
    if number == 0:
        return DIGITS[0]
    groups: list[int] = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    parts: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        inside = index < len(groups) - 1
        parts.append(_below_thousand(group, inside=inside))
        if SCALES[index]:
            parts.append(SCALES[index])
    return " ".join(parts)


def month_in_words(month: int) -> str:
    if not 1 <= month <= 12:
        raise ValueError("A month is from 1 to 12.")
    return "tư" if month == 4 else number_in_words(month)


def date_in_words(day: dt.date) -> str:
    """``Ngày mười hai tháng năm năm một nghìn chín trăm chín mươi``."""
    return (
        f"Ngày {number_in_words(day.day)} tháng {month_in_words(day.month)} năm {number_in_words(day.year)}"
    )
