"""The money pages' forms. Forms read what was typed; the services decide what is allowed."""

from decimal import Decimal

from django import forms

from clusterfund.core.fields import DateInputField, PoundsField
from clusterfund.core.formatting import census_month
from clusterfund.money.models import EntryType, financial_year_name
from clusterfund.organisations.forms import CsvUploadForm


def _weight_field(label: str) -> forms.DecimalField:
    what = f"{label[0].lower()}{label[1:]}"
    return forms.DecimalField(
        label=label,
        required=True,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=4,
        error_messages={
            "required": f"Enter a weight for {what} (0 to leave it out)",
            "invalid": f"The weight for {what} must be a number, like 1.5",
            "min_value": f"The weight for {what} cannot be negative",
            "max_decimal_places": f"The weight for {what} can have at most 4 decimal places",
            "max_digits": f"The weight for {what} is too large",
            "max_whole_digits": f"The weight for {what} is too large",
        },
    )


class FormulaForm(forms.Form):
    """A draft formula: the money, the top-slice, the census, the floor and cap, and a weight per factor."""

    high_needs = PoundsField(
        label="High Needs amount for clusters", help_text="The whole amount for the year", most_pounds=10**12
    )
    top_slice_percent = forms.DecimalField(
        label="City contingency top-slice, as a percentage",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text="Leave blank for none, or give an amount below instead",
        error_messages={
            "invalid": "The top-slice percentage must be a number, like 5",
            "min_value": "The top-slice must be between 0 and 100 per cent",
            "max_value": "The top-slice must be between 0 and 100 per cent",
            "max_decimal_places": "The top-slice percentage can have at most 2 decimal places",
        },
    )
    top_slice = PoundsField(
        label="City contingency top-slice, as an amount", required=False, most_pounds=10**12
    )
    census_month = forms.TypedChoiceField(
        label="Census counts to use", coerce=str, error_messages={"invalid_choice": "Choose a census"}
    )
    floor = PoundsField(
        label="Least a cluster gets", required=False, help_text="Leave blank for no floor", most_pounds=10**12
    )
    cap = PoundsField(
        label="Most a cluster gets", required=False, help_text="Leave blank for no cap", most_pounds=10**12
    )

    def __init__(self, *args, factors: dict[str, str], census_months: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.factors = factors
        self.fields["census_month"].choices = [(m.isoformat(), census_month(m)) for m in census_months]
        for code, label in factors.items():
            self.fields[f"weight_{code}"] = _weight_field(label)

    def weight_fields(self):
        return [self[f"weight_{code}"] for code in self.factors]

    def weights(self) -> dict[str, Decimal]:
        return {code: self.cleaned_data[f"weight_{code}"] for code in self.factors}


class CommitFormulaForm(forms.Form):
    reason = forms.CharField(
        label="Why this version replaces the committed one",
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        help_text="Needed when a committed formula is superseded. Schools and auditors will read it.",
        error_messages={"max_length": "The reason must be 1,000 characters or fewer"},
    )


class PaymentForm(forms.Form):
    amount = PoundsField(label="Amount paid")
    paid_on = DateInputField(label="Date it was paid")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        help_text="For example, the finance system's reference",
        error_messages={"max_length": "The note must be 1,000 characters or fewer"},
    )


def _reason_field(label: str) -> forms.CharField:
    what = f"{label[0].lower()}{label[1:]}"
    return forms.CharField(
        label=label,
        max_length=1000,
        widget=forms.Textarea,
        error_messages={
            "required": f"Enter {what}",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )


class VaryAwardForm(forms.Form):
    amount = PoundsField(label="New amount of the award")
    reason = _reason_field("Why the award changes")


class EndAwardForm(forms.Form):
    reason = _reason_field("Why the award ends early")


class LedgerFilterForm(forms.Form):
    """The filters above a ledger. Anything unknown is ignored, never an error."""

    entry_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *EntryType.choices]
    )
    financial_year = forms.TypedChoiceField(
        label="Financial year", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, financial_years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [
            ("", "Any financial year"),
            *[(str(year), financial_year_name(year)) for year in financial_years],
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class FactorUploadForm(CsvUploadForm):
    """A council's own factor: its name, and a file of each school's value."""

    name = forms.CharField(
        label="Name of the factor",
        max_length=120,
        help_text="For example, IDACI deprivation score. Uploading again under the same name updates it.",
        error_messages={
            "required": "Enter the name of the factor",
            "max_length": "The name must be 120 characters or fewer",
        },
    )
    field_order = ["name", "file"]


class TransferForm(forms.Form):
    """Money moved between two of a council's pots for the same year."""

    from_pot = forms.TypedChoiceField(
        label="Move money from",
        coerce=int,
        error_messages={
            "required": "Choose the pot the money comes from",
            "invalid_choice": "Choose the pot the money comes from",
        },
    )
    to_pot = forms.TypedChoiceField(
        label="Move it to",
        coerce=int,
        error_messages={
            "required": "Choose the pot the money goes to",
            "invalid_choice": "Choose the pot the money goes to",
        },
    )
    amount = PoundsField(label="Amount", most_pounds=10**12)
    reason = _reason_field("Why the money moves")

    def __init__(self, *args, pots, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a pot"), *[(pot.pk, str(pot)) for pot in pots]]
        self.fields["from_pot"].choices = choices
        self.fields["to_pot"].choices = choices
