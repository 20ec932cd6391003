"""The filters above a dashboard: academic year, term and, on the council's, one cluster."""

from django import forms

from clusterfund.organisations.selectors import TERM_NAMES


class DashboardFilterForm(forms.Form):
    """Anything unknown is ignored, never an error: the page shows the current year instead."""

    year = forms.TypedChoiceField(label="Academic year", required=False, coerce=int, empty_value=None)
    term = forms.TypedChoiceField(
        label="Term",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "The whole year"), *TERM_NAMES.items()],
    )
    cluster = forms.TypedChoiceField(label="Cluster", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year.start_year, year.name) for year in years]
        if clusters is None:
            del self.fields["cluster"]
        else:
            self.fields["cluster"].choices = [("", "Every cluster"), *((c.pk, c.name) for c in clusters)]

    def value(self, name: str):
        """The field's valid value, or None."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data.get(name)
