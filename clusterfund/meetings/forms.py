"""The meeting pages' forms."""

from django import forms

from clusterfund.core.fields import DateInputField, PoundsField
from clusterfund.meetings.models import MeetingKind


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the meeting is for",
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the meeting is for",
            "invalid_choice": "Choose what the meeting is for",
        },
    )
    held_on = DateInputField(label="Date of the meeting")
    paper_deadline = DateInputField(
        label="Paper deadline", required=False, help_text="Leave blank for a week before the meeting"
    )
    place = forms.CharField(
        label="Where it is",
        required=False,
        max_length=200,
        error_messages={"max_length": "The place must be 200 characters or fewer"},
    )
    online_link = forms.URLField(
        assume_scheme="https",
        label="Link to join online (optional)",
        required=False,
        max_length=200,
        error_messages={"invalid": "Enter the link in the form https://…"},
    )
    chair = forms.TypedChoiceField(label="Chair", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, chairs, with_kind=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].choices = [
            ("", "Not chosen yet"),
            *[(user.pk, user.full_name) for user in chairs],
        ]
        if not with_kind:
            del self.fields["kind"]


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label="Why the meeting is cancelled",
        widget=forms.Textarea,
        max_length=1000,
        error_messages={
            "required": "Enter why the meeting is cancelled",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )


ATTENDANCE_CHOICES = [("absent", "Not present"), ("in_person", "In person"), ("online", "Online")]


class AttendanceForm(forms.Form):
    """A choice for each member school (not present, in person, online) and who else attended."""

    other_attendees = forms.CharField(
        label="Who else attended",
        help_text="For example the Team Around the Cluster and the council, one a line",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "Who else attended must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for school in schools:
            fields[f"school_{school.pk}"] = forms.ChoiceField(
                label=school.name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": f"Choose whether {school.name} is there in person, online or not "
                    "present"
                },
            )
        self.fields = {**fields, **self.fields}
        self.schools = list(schools)

    def modes(self) -> dict[int, str]:
        modes = {school.pk: self.cleaned_data.get(f"school_{school.pk}") or "" for school in self.schools}
        return {pk: "" if mode == "absent" else mode for pk, mode in modes.items()}


class DecideWithoutVoteForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What the meeting decided",
        choices=[
            ("deferred", "Defer it to the next meeting"),
            ("resolved_with_advice", "Resolve it with advice, without money"),
            ("on_the_ballot", "Put it back on the ballot"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the meeting decided",
            "invalid_choice": "Choose what the meeting decided",
        },
    )
    note = forms.CharField(
        label="Why, for the minutes",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


RECORDED_AS = [
    ("show_of_hands", "From a show of hands"),
    ("paper", "From a paper ballot"),
]


class BallotForm(forms.Form):
    """One line for each item the school may vote on, and nothing for the others."""

    def __init__(self, *args, items, choices, recorded_by_admin=False, **kwargs):
        super().__init__(*args, **kwargs)
        if recorded_by_admin:
            self.fields["recorded_as"] = forms.ChoiceField(
                label="How the vote was given",
                choices=RECORDED_AS,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose how the vote was given",
                    "invalid_choice": "Choose how the vote was given",
                },
            )
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=f"{item.funding_request.reference}: {pounds_text(item.amount_pence)}",
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose how to vote on {item.funding_request.reference}",
                    "invalid_choice": f"Choose how to vote on {item.funding_request.reference}",
                },
            )
        self.items = list(items)

    def choices(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class ActionForm(forms.Form):
    text = forms.CharField(
        label="Action",
        max_length=500,
        error_messages={
            "required": "Enter the action",
            "max_length": "The action must be 500 characters or fewer",
        },
    )
    owner = forms.CharField(
        label="Who owns it",
        max_length=200,
        error_messages={
            "required": "Enter who owns the action",
            "max_length": "The owner must be 200 characters or fewer",
        },
    )
    due_on = DateInputField(label="Due by")


class ApproveMinutesForm(forms.Form):
    notes = forms.CharField(
        label="Notes for the minutes (optional)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
        error_messages={"max_length": "The notes must be 5,000 characters or fewer"},
    )


def pounds_text(pence: int | None) -> str:
    return "no amount" if pence is None else f"£{pence // 100:,}.{pence % 100:02d}"


class ChairsActionForm(forms.Form):
    heads = forms.TypedMultipleChoiceField(
        label="The two heads of other member schools who agree",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the two heads who agree"},
    )
    amount_pence = PoundsField(label="Amount approved")
    reason = forms.CharField(
        label="Why it cannot wait for the next meeting",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Say why it cannot wait for the next meeting",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args, heads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heads"].choices = [(user.pk, label) for user, label in heads]


class MeetingRulesForm(forms.Form):
    counting_method = forms.ChoiceField(
        label="How a meeting's vote is counted",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how the vote is counted",
            "invalid_choice": "Choose how the vote is counted",
        },
    )
    quorum_percent = forms.IntegerField(
        label="Quorum, as a percentage of member schools",
        help_text="For example 50: at least half the member schools must be present before a vote opens",
        min_value=1,
        max_value=100,
        error_messages={
            "required": "Enter the quorum",
            "invalid": "The quorum must be a whole number, like 50",
            "min_value": "The quorum must be a whole number from 1 to 100 per cent",
            "max_value": "The quorum must be a whole number from 1 to 100 per cent",
        },
    )
    chairs_action_limit_pence = PoundsField(
        label="The most a chair's action may approve (optional)",
        help_text="Leave blank if the scheme has no chair's action between meetings",
        required=False,
    )

    def __init__(self, *args, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counting_method"].choices = methods
