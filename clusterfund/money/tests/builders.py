"""Money set up through the services, as a council's SEND team would."""

import datetime
from decimal import Decimal

from clusterfund.funding_requests.models import FundingRequest
from clusterfund.money import services
from clusterfund.money.models import FundingFormula
from clusterfund.organisations.models import AcademicYear

WEIGHTS = {"pupils_on_roll": "0", "sen_support": "1", "ehc_plans": "4", "free_school_meals": "0"}


def commit_formula(
    council,
    admin,
    *,
    high_needs_pence=100_000_000,
    top_slice_percent=None,
    top_slice_pence=None,
    weights=None,
    floor_pence=None,
    cap_pence=None,
    year=None,
    reason="",
) -> FundingFormula:
    """Draft, fill in and commit a formula for the council's current year (or `year`)."""
    year = year or AcademicYear.objects.filter(council=council).current()
    draft = services.start_formula_draft(council=council, academic_year=year, acting_user=admin)
    services.change_formula_draft(
        formula=draft,
        high_needs_pence=high_needs_pence,
        top_slice_percent=None if top_slice_percent is None else Decimal(top_slice_percent),
        top_slice_pence=top_slice_pence,
        census_month=datetime.date(2023, 1, 1),
        floor_pence=floor_pence,
        cap_pence=cap_pence,
        weights={factor: Decimal(weight) for factor, weight in (weights or WEIGHTS).items()},
        acting_user=admin,
    )
    return services.commit_formula(formula=draft, reason=reason, acting_user=admin)


def decided_request(cluster, school, author, *, title="Support", request_type="individual", year=None):
    """A request row that a meeting has approved, made directly: the money tests need many of them and
    none of the request's parts. (The requests' own tests write them through their services.)"""
    year = year or AcademicYear.objects.filter(council=cluster.council).current()
    count = FundingRequest.objects.filter(cluster=cluster).count()
    return FundingRequest.objects.create(
        council=cluster.council,
        cluster=cluster,
        academic_year=year,
        lead_school=school,
        reference=f"T-{cluster.pk}-{count + 1:04d}",
        request_type=request_type,
        status="approved",
        title=title,
        created_by=author,
    )
