import datetime
from decimal import Decimal

from django import forms

from clusterfund.core.fields import DateInputField
from clusterfund.organisations.imports import parse_census_month
from clusterfund.organisations.models import LEAST_SUPPRESSION_THRESHOLD
from clusterfund.organisations.services import (
    MOST_SUPPRESSION_THRESHOLD,
    giving_prefix_error,
    org_id_error,
)

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


def _number_messages(what: str, *, low, high, example, decimals: bool = False) -> dict[str, str]:
    kind = "a number" if decimals else "a whole number"
    between = f"{what[0].upper()}{what[1:]} must be {kind} from {low} to {high}"
    messages = {
        "required": f"Enter {what}",
        "invalid": f"{what[0].upper()}{what[1:]} must be {kind}, like {example}",
        "min_value": between,
        "max_value": between,
    }
    if decimals:
        messages.update(
            {
                "max_decimal_places": f"{what[0].upper()}{what[1:]} can have at most 2 decimal places",
                "max_digits": between,
                "max_whole_digits": between,
            }
        )
    return messages


_SMALLEST = "The smallest count that is published"


class FairnessSettingsForm(forms.Form):
    """The thresholds at which the fairness monitor raises its flags, and how the council publishes its
    grants as open data."""

    fairness_high_ratio = forms.DecimalField(
        label="Flag a school whose share of the money is more than this many times its share of need",
        help_text="For example 2: a school with 10% of the cluster's need and more than 20% of its money",
        min_value=Decimal("1.01"),
        max_value=Decimal("20"),
        max_digits=4,
        decimal_places=2,
        error_messages=_number_messages(
            "the ratio above need", low="1.01", high=20, example="2", decimals=True
        ),
    )
    fairness_low_ratio = forms.DecimalField(
        label="Flag a school whose share of the money is less than this fraction of its share of need",
        help_text="For example 0.5: a school with 10% of the cluster's need and less than 5% of its money",
        min_value=Decimal("0.01"),
        max_value=Decimal("0.99"),
        max_digits=3,
        decimal_places=2,
        error_messages=_number_messages(
            "the ratio below need", low="0.01", high="0.99", example="0.5", decimals=True
        ),
    )
    fairness_quiet_terms = forms.IntegerField(
        label="Flag a member school that sends no request for this many terms in a row",
        help_text="For example 2. It may have need that is not being met.",
        min_value=1,
        max_value=6,
        error_messages=_number_messages("the number of terms", low=1, high=6, example="2"),
    )
    fairness_meetings_waited = forms.IntegerField(
        label="Flag a request that waits for more meetings than this before it is decided",
        help_text="For example 1: a request deferred or carried over to a second meeting is flagged",
        min_value=1,
        max_value=12,
        error_messages=_number_messages("the number of meetings", low=1, high=12, example="1"),
    )
    fairness_named_blind_gap = forms.IntegerField(
        label="Flag a school whose requests are funded this many percentage points more often in named "
        "meetings than in blind ones",
        help_text="For example 30: funded in 80% of named meetings' votes but 50% or fewer of blind ones",
        min_value=1,
        max_value=100,
        error_messages=_number_messages("the gap", low=1, high=100, example="30"),
    )
    giving_prefix = forms.CharField(
        label="360Giving prefix (optional)",
        help_text="The prefix 360Giving registered for the council's grant identifiers: 360G- and then "
        "letters, numbers or hyphens, with no spaces, like 360G-kirklees. Leave it blank until the council "
        "has one.",
        required=False,
        max_length=60,
        error_messages={"max_length": "The 360Giving prefix must be 60 characters or fewer"},
    )
    giving_org_id = forms.CharField(
        label="Organisation identifier (optional)",
        help_text="The council's identifier on an org-id.guide register: the register's code, then a hyphen "
        "and the council's identifier on it, with no spaces, like GB-LAE-KIR",
        required=False,
        max_length=60,
        error_messages={"max_length": "The organisation identifier must be 60 characters or fewer"},
    )
    open_data_licence = forms.URLField(
        label="Address of the licence the open data is published under",
        help_text="Usually the Open Government Licence: "
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        max_length=200,
        assume_scheme="https",
        error_messages={
            "required": "Enter the address of the licence",
            "invalid": "Enter the address of the licence as a web address, like https://www.example.org/",
            "max_length": "The address of the licence must be 200 characters or fewer",
        },
    )
    suppression_threshold = forms.IntegerField(
        label="Smallest count that is published",
        help_text="Published pages and files show any count below this as 'fewer than' it, so that no "
        "group is small enough to identify a child. It is 5 at least: the council may raise it, up to 100, "
        "but not lower it below 5.",
        min_value=LEAST_SUPPRESSION_THRESHOLD,
        max_value=MOST_SUPPRESSION_THRESHOLD,
        error_messages={
            **_number_messages(
                "the smallest count that is published",
                low=LEAST_SUPPRESSION_THRESHOLD,
                high=MOST_SUPPRESSION_THRESHOLD,
                example="5",
            ),
            "min_value": f"{_SMALLEST} must be {LEAST_SUPPRESSION_THRESHOLD} or more",
            "max_value": f"{_SMALLEST} must be {MOST_SUPPRESSION_THRESHOLD} or fewer",
        },
    )

    def clean_giving_prefix(self):
        value = self.cleaned_data["giving_prefix"]
        if value and (message := giving_prefix_error(value)):
            raise forms.ValidationError(message)
        return value

    def clean_giving_org_id(self):
        value = self.cleaned_data["giving_org_id"]
        if value and (message := org_id_error(value)):
            raise forms.ValidationError(message)
        return value
