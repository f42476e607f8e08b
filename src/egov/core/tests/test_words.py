"""Dates and numbers in Vietnamese words, as the “ghi bằng chữ” line of a civil-status paper writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.core.words import date_in_words, month_in_words, number_in_words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"), (5, "năm"), (10, "mười"), (11, "mười một"), (15, "mười lăm"), (20, "hai mươi"),
        (21, "hai mươi mốt"), (24, "hai mươi tư"), (25, "hai mươi lăm"), (31, "ba mươi mốt"),
        (105, "một trăm linh năm"), (110, "một trăm mười"), (1990, "một nghìn chín trăm chín mươi"),
        (2000, "hai nghìn"), (2005, "hai nghìn không trăm linh năm"), (2018, "hai nghìn không trăm mười tám"),
        (2024, "hai nghìn không trăm hai mươi tư"), (150_000_000, "một trăm năm mươi triệu"),
        (1_000_500, "một triệu năm trăm"),
    ],
)  # fmt: skip
def test_numbers_in_words(number: int, words: str) -> None:
    assert number_in_words(number) == words


def test_a_million_and_five_reads_its_empty_thousands_out() -> None:
    assert number_in_words(1_000_005) == "một triệu không trăm linh năm"


def test_the_fourth_month_is_tu() -> None:
    assert month_in_words(4) == "tư"
    assert month_in_words(11) == "mười một"


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (dt.date(1990, 5, 12), "Ngày mười hai tháng năm năm một nghìn chín trăm chín mươi"),
        (dt.date(2018, 4, 24), "Ngày hai mươi tư tháng tư năm hai nghìn không trăm mười tám"),
        (dt.date(2005, 1, 1), "Ngày một tháng một năm hai nghìn không trăm linh năm"),
        (dt.date(2021, 11, 15), "Ngày mười lăm tháng mười một năm hai nghìn không trăm hai mươi mốt"),
    ],
)
def test_dates_in_words(day: dt.date, words: str) -> None:
    assert date_in_words(day) == words


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        number_in_words(-1)
    with pytest.raises(ValueError):
        month_in_words(13)
