import pytest
from django.test import RequestFactory

from clusterfund.core.params import start_year, whole_number


@pytest.mark.parametrize(
    "text, number",
    [("7", 7), (" 12 ", 12), ("0", 0), ("", None), ("-1", None), ("1 2", None), ("²", None), ("٢", None)],
)
def test_a_whole_number_is_written_in_plain_digits(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "query, year",
    [
        ("2025", 2025),
        ("", None),
        ("²²²²", None),
        ("٢٠٢٥", None),
        ("0002025", None),
        ("25", None),
        ("last", None),
    ],
)
def test_a_start_year_is_four_plain_digits(query, year):
    assert start_year(RequestFactory().get("/", {"year": query})) == year
