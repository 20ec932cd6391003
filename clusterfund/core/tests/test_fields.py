"""The GOV.UK-pattern form fields: what people type, and what they are told when it is not right."""

import pytest
from django import forms

from clusterfund.core.fields import PoundsField

NOT_MONEY = "Cost must be an amount in pounds and pence, like 25.50"


def clean(text):
    return PoundsField(label="Cost").clean(text)


@pytest.mark.parametrize(
    "typed, pence",
    [
        ("25.50", 2550),
        ("25.5", 2550),
        ("25", 2500),
        ("£25.50", 2550),
        ("£ 25.50", 2550),
        (" 1,234.56 ", 123456),
        ("1,234,567", 123456700),
        ("1234567.89", 123456789),
        ("0", 0),
        ("0.05", 5),
    ],
)
def test_amounts_in_pounds_and_pence_become_whole_pence(typed, pence):
    assert clean(typed) == pence


@pytest.mark.parametrize(
    "typed",
    [
        "12,50",  # a continental decimal comma, not £1,250
        "1,2345",
        "12,34,567",
        "1234,567",
        ",123",
        "1,",
        "1e3",
        "1E3",
        "1_000",
        "12.345",
        "12.",
        ".50",
        "£",
        "££5",
        "5£",
        "NaN",
        "Infinity",
        "+5",
        "٣",  # an Arabic-Indic digit: Python's Decimal would take it
        "1 000",
        "25p",
    ],
)
def test_anything_else_is_refused_with_the_pounds_and_pence_message(typed):
    with pytest.raises(forms.ValidationError) as refused:
        clean(typed)
    assert refused.value.messages == [NOT_MONEY]


def test_negative_too_large_and_missing_amounts_say_so():
    for typed, message in [
        ("-5", "Cost cannot be negative"),
        ("£-1,000.00", "Cost cannot be negative"),
        ("10,000,000", "Cost must be less than £10,000,000"),
        ("", "Enter the cost"),
    ]:
        with pytest.raises(forms.ValidationError) as refused:
            clean(typed)
        assert refused.value.messages == [message], typed
    assert clean("-0") == 0
