"""The request form's pages, one form a part. Forms read what was typed; the services decide what is
allowed, so the pages and the API refuse the same things."""

from decimal import Decimal

from django import forms

from clusterfund.core.fields import DateInputField, PoundsField
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import ConsentMethod, RequestType
from clusterfund.funding_requests.selectors import RESULTS
from clusterfund.organisations.selectors import TERM_NAMES
from clusterfund.pupils.needs import AreaOfNeed

TYPE_HINTS = {
    RequestType.ADVICE_ONLY: "A solution-focused discussion with the cluster. No money is asked for.",
    RequestType.INDIVIDUAL: "Support for one pupil at your school.",
    RequestType.GROUP: "Support for several pupils, at your school or with other schools in the cluster.",
    RequestType.PROJECT: "Cluster-wide or multi-school work, such as training or a shared resource. "
    "Pupils are not named.",
    RequestType.CONTINGENCY: "Unforeseen, urgent need. Heard at the next cluster meeting or the next "
    "city meeting.",
}


def _text(label, *, hint="", required=True, limit=5000, rows=None, required_message="", noun=""):
    """A text field whose errors name what is missing: `noun` when the label is a question or optional."""
    noun = noun or f"{label[0].lower()}{label[1:]}"
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=limit,
        strip=True,
        widget=forms.Textarea if rows else forms.TextInput,
        error_messages={
            "required": required_message or f"Enter {noun}",
            "max_length": f"{noun[0].upper()}{noun[1:]} must be {limit:,} characters or fewer",
        },
    )


class StartRequestForm(forms.Form):
    request_type = forms.ChoiceField(
        label="What kind of request is it?",
        choices=RequestType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of request it is",
            "invalid_choice": "Choose what kind of request it is",
        },
    )
    title = _text("A short title", hint="For example, Speech and language sessions", limit=120)


class NeedForm(forms.Form):
    title = _text("Title", limit=120, noun="a title")
    need = _text(
        "The need in plain words",
        hint="What the child or children find hard, and what that means in school. Do not use names.",
        rows=8,
    )
    primary_area = forms.ChoiceField(
        label="Main area of need",
        choices=AreaOfNeed.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the main area of need",
            "invalid_choice": "Choose the main area of need",
        },
    )
    other_areas = forms.MultipleChoiceField(
        label="Other areas of need (optional)",
        choices=AreaOfNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose other areas of need from the list",
            "invalid_list": "Choose other areas of need from the list",
        },
    )


class ContingencyNeedForm(NeedForm):
    """A contingency request in a council with a city pool also says which meeting should hear it."""

    to_city_meeting = forms.TypedChoiceField(
        label="Which meeting should hear it?",
        choices=[("False", "The cluster's next meeting"), ("True", "The next city meeting")],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        help_text="The city meeting is termly and hears contingency requests from every cluster.",
        error_messages={
            "required": "Choose which meeting should hear it",
            "invalid_choice": "Choose which meeting should hear it",
        },
    )


class ApproachForm(forms.Form):
    assessed = _text("What was assessed", hint="Screening, observations, assessments and when.", rows=4)
    planned = _text("What was planned", hint="The support the school planned and why.", rows=4)
    done = _text(
        "What was done, and for how long", hint="Who did what, how often, for how many weeks.", rows=4
    )
    reviewed = _text("What changed", hint="What the review found: what worked and what did not.", rows=4)
    advice_received = _text(
        "Advice already received from professionals (optional)",
        noun="advice received",
        hint="For example, an educational psychologist's or speech and language therapist's advice.",
        required=False,
        rows=4,
    )


class PupilsForm(forms.Form):
    pupils = forms.ModelMultipleChoiceField(
        label="Which pupils is the request for?",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose pupils from the list",
            "invalid_pk_value": "Choose pupils from the list",
        },
    )

    def __init__(self, *args, pupils, just_one=False, with_consent=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_consent:
            # Once submitted, a new pupil comes with their parent's or carer's agreement, in one change.
            self.fields["consent_date"] = DateInputField(
                label="Date the new pupil's parent or carer agreed",
                help_text="Only if you add a pupil: their agreement replaces the one recorded before. "
                "For example, 27 3 2026",
                required=False,
            )
            self.fields["consent_method"] = _consent_method(required=False)
        if just_one:
            self.fields["pupils"] = forms.ModelChoiceField(
                label="Which pupil is the request for?",
                queryset=pupils,
                widget=forms.RadioSelect,
                empty_label=None,
                error_messages={
                    "required": "Choose the pupil",
                    "invalid_choice": "Choose a pupil from the list",
                },
            )
            initial = self.initial.get("pupils") or []
            self.initial["pupils"] = initial[0] if initial else None
        self.fields["pupils"].queryset = pupils
        self.fields["pupils"].label_from_instance = lambda pupil: (
            f"{pupil.reference}, {pupil.get_year_group_display()}, {pupil.get_primary_area_display()}"
        )

    def clean_pupils(self):
        chosen = self.cleaned_data["pupils"]
        if chosen is None:
            return []
        return [chosen] if not hasattr(chosen, "__iter__") else list(chosen)


class BenefitForm(forms.Form):
    children_benefiting = forms.IntegerField(
        label="How many children will benefit?",
        min_value=1,
        max_value=100_000,
        widget=forms.NumberInput,
        error_messages={
            "required": "Enter how many children will benefit",
            "invalid": "Enter how many children will benefit as a whole number, like 40",
            "min_value": "At least 1 child must benefit",
            "max_value": "Number of children must be 100,000 or fewer",
        },
    )
    benefiting_schools = forms.ModelMultipleChoiceField(
        label="Which schools will benefit?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the schools that will benefit",
            "invalid_choice": "Choose schools from the list",
        },
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefiting_schools"].queryset = schools


class OutcomeForm(forms.Form):
    what = _text(
        "What should change", hint="Something that can be checked, in plain words.", limit=1000, rows=3
    )
    by_when = DateInputField(label="Date by which it should be achieved")
    how_measured = _text(
        "How it will be measured", hint="For example, a re-screen or a reading age.", limit=500, rows=2
    )


class DatesForm(forms.Form):
    start_date = DateInputField(
        label="Start date", help_text="When the support would start. For example, 5 1 2026"
    )
    end_date = DateInputField(
        label="End date", help_text="When the support would end. For example, 27 3 2026"
    )


class ProvisionLineForm(forms.Form):
    what = _text("What the provision is", hint="For example, teaching assistant 1:1 sessions", limit=200)
    provider = _text(
        "Who provides it", hint="School staff, another school or a commissioned service", limit=200
    )
    units = forms.DecimalField(
        label="Hours or units",
        min_value=Decimal("0.01"),
        max_value=Decimal("9999.99"),
        decimal_places=2,
        widget=forms.NumberInput,
        error_messages={
            "required": "Enter the hours or units",
            "invalid": "Enter the hours or units as a number, like 12 or 1.5",
            "min_value": "Hours or units must be more than 0",
            "max_value": "Hours or units must be 9,999.99 or fewer",
            "max_decimal_places": "Hours or units can have at most 2 decimal places",
        },
    )
    unit_cost = PoundsField(label="Cost of one hour or unit", help_text="In pounds and pence, like 25.50")
    term = forms.ModelChoiceField(
        label="Term",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the term this line is for",
            "invalid_choice": "Choose a term from the list",
        },
    )

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms


def _consent_method(*, label="How was the agreement recorded?", hint="", required=True):
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=ConsentMethod.choices,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how the agreement was recorded",
            "invalid_choice": "Choose how the agreement was recorded",
        },
    )


class ConsentForm(forms.Form):
    consent_date = DateInputField(label="Date the parent or carer agreed")
    consent_method = _consent_method()


class InviteSchoolForm(forms.Form):
    school = forms.ModelChoiceField(
        label="Which school do you want to invite?",
        queryset=None,
        empty_label="Choose a school",
        error_messages={
            "required": "Choose a school to invite",
            "invalid_choice": "Choose a school from the list",
        },
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class AnswerInvitationForm(PupilsForm):
    answer = forms.ChoiceField(
        label="Will your school join this request?",
        choices=[("confirm", "Yes, we confirm our part"), ("decline", "No, we decline")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether your school will join",
            "invalid_choice": "Choose whether your school will join",
        },
    )
    part = _text(
        "Your school's part",
        hint="What your school brings and does. Needed if you confirm.",
        required=False,
        limit=1000,
        rows=3,
    )

    consent_date = DateInputField(
        label="Date your pupils' parents or carers agreed",
        help_text="Needed if you confirm: the agreement to refer your own pupils. For example, 27 3 2026",
        required=False,
    )
    consent_method = _consent_method(label="How did your school record the agreement?", required=False)

    field_order = ["answer", "part", "pupils", "consent_date", "consent_method"]

    def __init__(self, *args, names_pupils=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not names_pupils:
            # A project's schools name no pupils, so no parent or carer is asked.
            for name in ("pupils", "consent_date", "consent_method"):
                del self.fields[name]

    def clean_pupils(self):
        return super().clean_pupils() if "pupils" in self.fields else []


class WithdrawForm(forms.Form):
    reason = _text(
        "Why is the request being withdrawn?",
        limit=1000,
        rows=3,
        required_message="Enter why the request is being withdrawn",
        noun="the reason",
    )


class AttachmentForm(forms.Form):
    upload = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word document, or a JPEG or PNG image, up to 10MB",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    description = _text(
        "What is it? (optional)",
        hint="For example, speech link report",
        required=False,
        limit=200,
        noun="the description",
    )
    is_anonymised = forms.BooleanField(
        label="It names no school, member of staff or pupil, so a blind meeting may read it",
        required=False,
    )


class RequestFilterForm(forms.Form):
    """The filters above a list of requests. Anything unknown is ignored, never an error."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *RequestStatus.choices]
    )
    request_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *RequestType.choices]
    )
    area = forms.ChoiceField(
        label="Area of need", required=False, choices=[("", "Any area"), *AreaOfNeed.choices]
    )
    year = forms.TypedChoiceField(label="Academic year", required=False, coerce=int, empty_value=None)
    term = forms.TypedChoiceField(
        label="Term submitted",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any term"), *TERM_NAMES.items()],
    )
    result = forms.ChoiceField(label="Result", required=False, choices=[("", "Any result"), *RESULTS.items()])

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Any year"), *((year.start_year, year.name) for year in years)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
