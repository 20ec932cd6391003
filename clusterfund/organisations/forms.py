import datetime

from django import forms

from clusterfund.core.fields import DateInputField
from clusterfund.organisations.imports import parse_census_month

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 10MB")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        data = upload.read()
        if b"\x00" in data[:4096]:
            raise forms.ValidationError("The selected file must be a CSV")
        return data


class CensusUploadForm(CsvUploadForm):
    census_month = forms.CharField(
        label="Which census are the counts from?",
        help_text="For example, January 2023 or 2023-01",
        error_messages={"required": "Enter the census month, for example January 2023"},
    )
    field_order = ["census_month", "file"]

    def clean_census_month(self):
        try:
            month = parse_census_month(self.cleaned_data["census_month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if month > datetime.date.today():
            raise forms.ValidationError("The census month must be this month or earlier")
        return month


class HalfTermDatesForm(forms.Form):
    starts_on = DateInputField(label="Start date")
    ends_on = DateInputField(label="End date")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] <= cleaned["starts_on"]:
            self.add_error("ends_on", "The end date must be after the start date")
        return cleaned
