"""Form fields that follow GOV.UK Design System patterns."""

import datetime
import decimal
import re

from django import forms

# Pounds as people write them: digits with commas every three places (1,234 or 1,234,567) or none, and
# pence to one or two places. Nothing else: '12,50', '1e3' and '1_000' are not amounts of money.
_POUNDS = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?")


class DateInputWidget(forms.Widget):
    """Three boxes, day, month and year, named `<name>-day`, `<name>-month`, `<name>-year`."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "") for part in self.parts]

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}-{part}" in data for part in self.parts)

    def id_for_label(self, id_):
        return f"{id_}-day" if id_ else id_

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, list | tuple):
            return list(value)
        return ["", "", ""]


class DateInputField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK date input's error messages."""

    widget = DateInputWidget

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        day, month, year = ((part or "").strip() for part in (value or ["", "", ""]))
        label = self.label or "Date"
        label = label[0].upper() + label[1:]
        if not (day or month or year):
            if self.required:
                raise forms.ValidationError(f"Enter the {(self.label or 'date').lower()}", code="required")
            return None
        missing = [
            name
            for name, part in zip(("a day", "a month", "a year"), (day, month, year), strict=True)
            if not part
        ]
        if missing:
            raise forms.ValidationError(f"{label} must include {' and '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{label} must be a real date", code="invalid")
        if len(year) != 4:
            raise forms.ValidationError("Year must include 4 numbers", code="invalid")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError as error:
            raise forms.ValidationError(f"{label} must be a real date", code="invalid") from error

    def validate(self, value):
        # to_python has already said what is missing.
        return None


class PoundsInput(forms.TextInput):
    """A text box with a £ prefix; the field turns what is typed into whole pence."""

    def format_value(self, value):
        if isinstance(value, int):
            return f"{value // 100}.{value % 100:02d}"
        return value


class PoundsField(forms.Field):
    """An amount of money typed in pounds and pence ('1,234.50', '£25', '3.5'), cleaned to whole pence
    (123450). Commas must fall every three places; a minus sign is only ever told it cannot be negative."""

    widget = PoundsInput

    def __init__(self, *args, most_pounds: int = 10_000_000, **kwargs):
        self.most_pounds = most_pounds
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, int):
            return value
        text = (value or "").strip()
        if not text:
            if self.required:
                raise forms.ValidationError(f"Enter the {(self.label or 'amount').lower()}", code="required")
            return None
        cleaned = text.removeprefix("£").strip()
        negative = cleaned.startswith("-")
        if negative:
            cleaned = cleaned[1:].removeprefix("£").strip()
        if not _POUNDS.fullmatch(cleaned):
            raise forms.ValidationError(
                f"{self._label()} must be an amount in pounds and pence, like 25.50", code="invalid"
            )
        amount = decimal.Decimal(cleaned.replace(",", ""))
        if negative and amount:
            raise forms.ValidationError(f"{self._label()} cannot be negative", code="negative")
        if amount >= self.most_pounds:
            raise forms.ValidationError(
                f"{self._label()} must be less than £{self.most_pounds:,}", code="too_large"
            )
        return int(amount * 100)

    def _label(self) -> str:
        label = self.label or "Amount"
        return label[0].upper() + label[1:]
