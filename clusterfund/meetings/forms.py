"""The meeting pages' forms."""

from django import forms

from clusterfund.core.fields import DateInputField
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
