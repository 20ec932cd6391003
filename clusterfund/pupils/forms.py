from django import forms

from clusterfund.core.fields import DateInputField
from clusterfund.pupils.models import YEAR_GROUPS, EhcStatus
from clusterfund.pupils.needs import AreaOfNeed, SenType


class PupilForm(forms.Form):
    """A pupil's record. The name field is left out where the council does not allow names."""

    reference = forms.CharField(
        label="Your school's reference for this pupil",
        help_text="A reference your school uses, such as initials and a number. Do not use the pupil's UPN.",
        max_length=30,
        error_messages={
            "required": "Enter a reference for the pupil",
            "max_length": "The reference must be 30 characters or fewer",
        },
    )
    name = forms.CharField(
        label="Pupil's name (optional)",
        help_text="Only your school's staff will ever see it. Meetings and the council see the reference.",
        max_length=200,
        required=False,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
    year_group = forms.ChoiceField(
        label="Year group",
        choices=[("", "Select a year group"), *YEAR_GROUPS],
        error_messages={"required": "Select the pupil's year group"},
    )
    primary_area = forms.ChoiceField(
        label="Primary area of need",
        choices=AreaOfNeed.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the primary area of need"},
    )
    secondary_areas = forms.MultipleChoiceField(
        label="Other areas of need (optional)",
        choices=AreaOfNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sen_type = forms.ChoiceField(
        label="Primary type of need (optional)",
        required=False,
        choices=[("", "Not recorded"), *SenType.choices],
        help_text="The code your school uses in the school census",
    )
    ehc_status = forms.ChoiceField(
        label="EHC plan",
        choices=EhcStatus.choices,
        widget=forms.RadioSelect,
        initial=EhcStatus.NONE,
        help_text="No EHC plan is needed to ask the cluster for support.",
        error_messages={"required": "Select whether the pupil has an EHC plan"},
    )
    ehc_status_since = DateInputField(
        label="Date the EHC status changed",
        required=False,
        help_text="When the assessment was requested or the plan was issued. For example, 27 3 2026",
    )
    free_school_meals = forms.BooleanField(label="Eligible for free school meals", required=False)
    looked_after = forms.BooleanField(label="Looked after by the council", required=False)

    def __init__(self, *args, names_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not names_allowed:
            del self.fields["name"]

    def clean_reference(self):
        return " ".join(self.cleaned_data["reference"].split())

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("ehc_status")
        if (
            status
            and status != EhcStatus.NONE
            and not cleaned.get("ehc_status_since")
            and "ehc_status_since" not in self.errors
        ):
            self.add_error("ehc_status_since", "Enter the date the EHC status changed")
        return cleaned


class TransferForm(forms.Form):
    to_school = forms.ChoiceField(
        label="Which school is the pupil moving to?",
        error_messages={"required": "Select the school the pupil is moving to"},
    )

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {str(school.pk): school for school in schools}
        self.fields["to_school"].choices = [("", "Select a school")] + [
            (k, s.name) for k, s in self.schools.items()
        ]

    def clean_to_school(self):
        return self.schools[self.cleaned_data["to_school"]]
