from clusterfund.audit.models import AuditEvent
from clusterfund.organisations.models import HalfTerm

URL = "/councils/kirklees/years/2025/half-terms/3/dates"


def _half_term(number):
    return HalfTerm.objects.get(
        term__academic_year__council__slug="kirklees", term__academic_year__start_year=2025, number=number
    )


def test_a_council_admin_moves_a_half_term(signed_in_client):
    client = signed_in_client("send.admin@kirklees.example")
    page = client.get(URL)
    assert 'name="starts_on-day"' in page.content.decode()
    response = client.post(
        URL,
        {
            "starts_on-day": "6",
            "starts_on-month": "1",
            "starts_on-year": "2026",
            "ends_on-day": "13",
            "ends_on-month": "2",
            "ends_on-year": "2026",
        },
        follow=True,
    )
    assert "Spring 1 now runs from 6 January 2026 to 13 February 2026" in response.content.decode()
    half_term = _half_term(3)
    assert (half_term.starts_on.isoformat(), half_term.ends_on.isoformat()) == ("2026-01-06", "2026-02-13")
    event = AuditEvent.objects.get(action="half_term.dates_changed")
    assert event.after == {"starts_on": "2026-01-06", "ends_on": "2026-02-13"}


def test_bad_dates_are_explained_and_nothing_is_saved(signed_in_client):
    client = signed_in_client("send.admin@kirklees.example")
    before = (_half_term(3).starts_on, _half_term(3).ends_on)
    cases = [
        (
            {"starts_on-day": "31", "starts_on-month": "2", "starts_on-year": "2026"},
            "Start date must be a real date",
        ),
        (
            {"starts_on-day": "", "starts_on-month": "1", "starts_on-year": "2026"},
            "Start date must include a day",
        ),
        (
            {"starts_on-day": "5", "starts_on-month": "1", "starts_on-year": "26"},
            "Year must include 4 numbers",
        ),
        (
            {"starts_on-day": "1", "starts_on-month": "12", "starts_on-year": "2025"},
            "must start after the previous half term ends",
        ),
    ]
    for starts, message in cases:
        data = {"ends_on-day": "13", "ends_on-month": "2", "ends_on-year": "2026", **starts}
        body = client.post(URL, data).content.decode()
        assert "There is a problem" in body and message in body, message
        assert 'href="#id_starts_on-day"' in body
    assert (_half_term(3).starts_on, _half_term(3).ends_on) == before
    assert not AuditEvent.objects.filter(action="half_term.dates_changed").exists()
