"""The annual review's forms: the survey, the council's questions, and the changes decided for next year."""

from django import forms

from clusterfund.core.fields import DateInputField
from clusterfund.reports.models import Agreement
from clusterfund.reports.survey import ACTION_LIMIT, OWNER_LIMIT, QUESTION_LIMIT


class SurveyForm(forms.Form):
    """Each of the review's questions on the five-point scale, with an optional comment."""

    def __init__(self, *args, questions, whose: str = "your school's name", **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            message = f"Choose how far you agree with question {question.position}"
            self.fields[f"score_{question.pk}"] = forms.TypedChoiceField(
                label=f"{question.position}. {question.text}",
                help_text=question.hint,
                choices=Agreement.choices,
                coerce=int,
                # checked with everything else by the service, so that every error shows at once
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": message},
            )
            self.fields[f"comment_{question.pk}"] = forms.CharField(
                label=f"Comment on question {question.position} (optional)",
                # True to the code: `can_read_survey_comments`, and the results name no invitee.
                help_text=f"Only the council's SEND team and the cluster's admin read comments; they are not "
                f"shown with {whose}.",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def answers(self) -> dict[int, tuple[int | None, str]]:
        return {
            question.pk: (
                self.cleaned_data.get(f"score_{question.pk}"),
                self.cleaned_data.get(f"comment_{question.pk}") or "",
            )
            for question in self.questions
        }


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Question",
        help_text="A statement people agree or disagree with, on a scale from strongly disagree to strongly "
        "agree",
        max_length=QUESTION_LIMIT,
        error_messages={
            "required": "Enter the question",
            "max_length": f"The question must be {QUESTION_LIMIT} characters or fewer",
        },
    )
    hint = forms.CharField(
        label="Hint (optional)",
        required=False,
        max_length=QUESTION_LIMIT,
        error_messages={"max_length": f"The hint must be {QUESTION_LIMIT} characters or fewer"},
    )


class ActionForm(forms.Form):
    what = forms.CharField(
        label="The change decided for next year",
        max_length=ACTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the change decided",
            "max_length": f"The change decided must be {ACTION_LIMIT} characters or fewer",
        },
    )
    owner = forms.CharField(
        label="Who owns it",
        help_text="A person's name or a role, for example 'Cluster admin'",
        max_length=OWNER_LIMIT,
        error_messages={
            "required": "Enter who owns it: a person's name or a role",
            "max_length": f"Who owns it must be {OWNER_LIMIT} characters or fewer",
        },
    )
    due_on = DateInputField(label="Date it is due")
