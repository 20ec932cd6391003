"""The triage pages' forms. Forms read what was typed; the services decide what is allowed."""

from django import forms

from clusterfund.core.fields import DateInputField, PoundsField
from clusterfund.triage.models import AdviceRecord, SharedResource


def _text(label, *, hint="", limit=5000, required=True, rows=True, what=""):
    what = what or f"{label[0].lower()}{label[1:]}"
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=limit,
        widget=forms.Textarea if rows else forms.TextInput,
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer",
        },
    )


def _choice(label, choices, *, what, widget=forms.RadioSelect, required=True):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=widget,
        required=required,
        error_messages={"required": f"Choose {what}", "invalid_choice": f"Choose {what}"},
    )


class AssignForm(forms.Form):
    members = forms.TypedMultipleChoiceField(
        label="Who triages this request",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Members who have declared an interest in the school are not listed.",
        error_messages={"invalid_choice": "Choose members of this cluster's Team Around the Cluster"},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (m.pk, f"{m.name}, {m.get_profession_display().lower()}") for m in members
        ]


class ScoreForm(forms.Form):
    """A score and its reason for every one of the scheme's criteria."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.guidance,
                coerce=int,
                choices=[(n, f"{n}: {text}") for n, text in enumerate(criterion.descriptors, start=1)],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose a score for {criterion.name.lower()}",
                    "invalid_choice": f"Choose a score for {criterion.name.lower()}",
                },
            )
            self.fields[f"criterion_{criterion.pk}_why"] = _text(
                f"Why you gave that score for {criterion.name.lower()}", limit=2000
            )

    def scores(self) -> dict[int, tuple]:
        data = self.cleaned_data
        return {c.pk: (data[f"criterion_{c.pk}"], data[f"criterion_{c.pk}_why"]) for c in self.criteria}


class QuestionsForm(forms.Form):
    questions = _text(
        "What the school needs to tell you",
        hint="The school sees these questions and answers them before the request comes back.",
        what="the questions for the school",
    )


class AnswerForm(forms.Form):
    answer = _text("Your answer", hint="Answer every question.", what="your answer to the questions")


class ReadyForMeetingForm(forms.Form):
    recommended = PoundsField(
        label="Amount the team recommends",
        required=False,
        help_text="It can be less than the school asked for, never more",
    )
    recommendation = _text(
        "Recommendation for the meeting",
        hint="A few sentences the meeting will read with the request.",
        what="the recommendation for the meeting",
    )


class AdviceForm(forms.Form):
    kind = _choice(
        "What kind of advice was it?", AdviceRecord.Kind.choices, what="what kind of advice it was"
    )
    given_on = DateInputField(label="Date the advice was given")
    given_by = _text(
        "Who gave it",
        hint="Name and role, for example Dr N Rahman, educational psychologist",
        limit=200,
        rows=False,
        what="who gave the advice",
    )
    advice = _text("What was advised", what="what was advised")

    def __init__(self, *args, pupils=None, resources=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pupils is not None:
            self.fields["pupils"] = forms.TypedMultipleChoiceField(
                label="Which pupils it was about (optional)",
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(p.pk, p.reference) for p in pupils],
                error_messages={"invalid_choice": "Choose only the school's own pupils"},
            )
        if resources:
            self.fields["shared_resource"] = forms.TypedChoiceField(
                label="A resource another school shares (optional)",
                coerce=int,
                required=False,
                empty_value=None,
                choices=[("", "None"), *[(r.pk, f"{r.title}, {r.school.name}") for r in resources]],
                error_messages={"invalid_choice": "Choose a resource shared in this cluster"},
            )


class RedirectForm(forms.Form):
    reason = _text(
        "Where the request goes instead, and why",
        hint="For example, the EHC needs assessment route, because the need is severe and lasting.",
        what="where the request is sent and why",
    )


class ShareResourceForm(forms.Form):
    kind = _choice(
        "What kind of resource is it?", SharedResource.Kind.choices, what="what kind of resource it is"
    )
    title = _text("A short name for it", limit=120, rows=False, what="a short name for the resource")
    description = _text("What it is and how others can use it", what="what it is and how others can use it")


class AskForResourceForm(forms.Form):
    note = _text("What you would like, and when", what="what you would like and when")


class InterestForm(forms.Form):
    school = forms.TypedChoiceField(
        label="School",
        coerce=int,
        error_messages={"required": "Choose the school", "invalid_choice": "Choose the school"},
    )
    description = _text(
        "What the interest is",
        hint="For example, governor of the school, or a parent of a pupil there",
        limit=300,
        rows=False,
        what="what the interest is",
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "Choose a school"), *[(s.pk, s.name) for s in schools]]


class SchemeForm(forms.Form):
    guidelines = _text(
        "Guidelines for triage",
        hint="What the Team Around the Cluster checks every request against. Schools can read them.",
        limit=20_000,
        required=False,
        what="the guidelines",
    )
    blind_papers = forms.BooleanField(
        label="Meetings see requests blind: under their reference code, with names removed", required=False
    )
    moderation_spread = forms.IntegerField(
        label="Spread of members' scores that calls for moderation",
        min_value=1,
        max_value=10,
        help_text="For example 2: scores of 1 and 3 on one criterion call for moderation",
        error_messages={
            "required": "Enter the spread that calls for moderation",
            "invalid": "The spread must be a whole number, like 2",
            "min_value": "The spread that calls for moderation must be a whole number from 1 to 10",
            "max_value": "The spread that calls for moderation must be a whole number from 1 to 10",
        },
    )


class CriterionForm(forms.Form):
    name = _text("Name of the criterion", limit=120, rows=False, what="the criterion's name")
    guidance = _text("Guidance for the team (optional)", limit=2000, required=False, what="the guidance")
    descriptors = _text(
        "What each point on the scale means",
        hint="One a line, lowest first: for example Weak, Some evidence, Good evidence, Strong evidence",
        limit=3000,
        what="what each point on the scale means",
    )


class RewordForm(forms.Form):
    text = _text(
        "How the meeting should read it",
        hint="Leave it empty to go back to the automatic redaction. Names you write here are removed too.",
        required=False,
        what="the wording",
    )
