"""Form fields that follow GOV.UK Design System patterns."""

import datetime

from django import forms


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
