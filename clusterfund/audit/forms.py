from django import forms


class AuditFilterForm(forms.Form):
    council = forms.ChoiceField(label="Council", required=False)
    action = forms.CharField(
        label="Action starts with",
        required=False,
        max_length=100,
        help_text="For example, school. or census.imported",
    )
    actor = forms.CharField(label="Done by", required=False, max_length=200)
    date_from = forms.DateField(
        label="From (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter the from date as a date, like 2025-09-01"},
    )
    date_to = forms.DateField(
        label="To (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter the to date as a date, like 2026-07-22"},
    )

    def __init__(self, *args, councils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = [("", "All your councils")] + [(c.slug, c.name) for c in councils]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return cleaned
