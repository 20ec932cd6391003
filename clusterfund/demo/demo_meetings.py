"""The demo's meetings: each cluster's default meetings for the current year, by its scheme's rhythm
(Kirklees meets every half term; Stoke twice a term, with a city meeting each term)."""

from clusterfund.meetings import services
from clusterfund.meetings.models import Meeting
from clusterfund.organisations.models import AcademicYear


def load_meetings(council, admin, *, per_term: str) -> None:
    """Set the scheme's rhythm and make the year's meetings, once."""
    year = AcademicYear.objects.filter(council=council).current()
    if Meeting.objects.filter(academic_year=year).exists():
        return
    council.meetings_per_term = per_term
    council.save(update_fields=["meetings_per_term"])
    services.create_default_meetings(council=council, academic_year=year, acting_user=admin)
