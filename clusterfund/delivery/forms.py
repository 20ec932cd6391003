"""The delivery and review pages' forms."""

from django import forms

from clusterfund.core.fields import DateInputField
from clusterfund.delivery.models import Delivery, NextStep, OutcomeReview


class DeliveryForm(forms.Form):
    started_on = DateInputField(label="Date the support started")
    provider = forms.ChoiceField(
        label="Who provides the support",
        choices=Delivery.Provider.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who provides the support",
            "invalid_choice": "Choose who provides the support",
        },
    )
    provider_name = forms.CharField(
        label="Which school or service (if not your own staff)",
        required=False,
        max_length=200,
        error_messages={"max_length": "The provider must be 200 characters or fewer"},
    )


RESULTS = [("", "Not reviewed"), *OutcomeReview.Result.choices]


class ReviewForm(forms.Form):
    """A result, the evidence and notes for each outcome, then what happens next."""

    def __init__(self, *args, outcomes, individual: bool, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = list(outcomes)
        optional = "" if individual else " (optional for a group or project)"
        for outcome in self.outcomes:
            self.fields[f"outcome_{outcome.pk}"] = forms.ChoiceField(
                label=f"Outcome {outcome.position}: {outcome.what}{optional}",
                choices=RESULTS,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": f"Choose whether outcome {outcome.position} was met, partly met or not "
                    "met"
                },
            )
            self.fields[f"evidence_{outcome.pk}"] = forms.CharField(
                label=f"Evidence for outcome {outcome.position}",
                help_text=f"How it was measured: {outcome.how_measured}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["next_step"] = forms.ChoiceField(
            label="What happens next",
            choices=NextStep.choices,
            widget=forms.RadioSelect,
            required=False,  # checked with everything else by the service, so every error shows at once
            error_messages={"invalid_choice": "Choose what happens next"},
        )
        if not individual:
            self.fields["children_supported"] = forms.IntegerField(
                label="How many children the support reached",
                required=False,
                min_value=1,
                max_value=10_000,
                error_messages={
                    "required": "Enter how many children the support reached",
                    "invalid": "How many children must be a whole number",
                    "min_value": "How many children must be a whole number from 1 to 10,000",
                    "max_value": "How many children must be a whole number from 1 to 10,000",
                },
            )
            self.fields["schools_benefited"] = forms.TypedMultipleChoiceField(
                label="Schools that benefited",
                coerce=int,
                required=False,
                choices=[(school.pk, school.name) for school in schools],
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "invalid_choice": "Choose schools of the cluster",
                    "invalid": "Choose schools of the cluster",
                },
            )
        self.fields["notes"] = forms.CharField(
            label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
        )

    def results(self) -> dict[int, tuple[str, str, str]]:
        return {
            outcome.pk: (
                self.cleaned_data.get(f"outcome_{outcome.pk}") or "",
                self.cleaned_data.get(f"evidence_{outcome.pk}") or "",
                "",
            )
            for outcome in self.outcomes
        }


class ReviewDateForm(forms.Form):
    due_on = DateInputField(label="Date the review is due")
