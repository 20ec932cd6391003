"""The demo's money: each council commits a formula for the current year, its clusters award the decided
demo requests, and some awards have been paid and one changed. All of it goes through the money services,
by the demo account that holds the role, so the ledger reads as it would in a real year.

Councils publish no weights, so the demo's are invented: SEN support weighted 1 and EHC plans 4 (a plan
usually means more support). Loading twice adds nothing.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from clusterfund.accounts.models import RoleAssignment
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.money import services
from clusterfund.money.models import Award, FundingFormula
from clusterfund.organisations.models import AcademicYear, Cluster

DAY = datetime.timedelta(days=1)
WEIGHTS = {"pupils_on_roll": "0", "sen_support": "1", "ehc_plans": "4", "free_school_meals": "0"}
FUNDED = ("approved", "part_approved", "in_delivery", "reviewed", "closed")


@dataclass(frozen=True)
class DemoMoney:
    high_needs_pence: int
    top_slice_percent: str | None = None
    contingency_percent: str = "0"
    census_month: datetime.date = datetime.date(2023, 1, 1)


def _holder(council, role: str, cluster=None):
    assignment = (
        RoleAssignment.objects.filter(council=council, role=role, cluster=cluster)
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


def load_money(council, money: DemoMoney) -> None:
    """Commit the year's formula once, then award every decided request that has no award yet."""
    year = AcademicYear.objects.filter(council=council).current()
    admin = _holder(council, "council_admin")
    if not FundingFormula.objects.filter(council=council, academic_year=year, status="committed").exists():
        Cluster.objects.filter(council=council, is_city_pool=False).update(
            contingency_percent=Decimal(money.contingency_percent)
        )
        draft = FundingFormula.objects.filter(council=council, academic_year=year, status="draft").first()
        draft = draft or services.start_formula_draft(council=council, academic_year=year, acting_user=admin)
        services.change_formula_draft(
            formula=draft,
            high_needs_pence=money.high_needs_pence,
            top_slice_percent=Decimal(money.top_slice_percent) if money.top_slice_percent else None,
            top_slice_pence=None,
            census_month=money.census_month,
            floor_pence=None,
            cap_pence=None,
            weights={factor: Decimal(weight) for factor, weight in WEIGHTS.items()},
            acting_user=admin,
        )
        services.commit_formula(formula=draft, reason="", acting_user=admin)
    _award_decided_requests(council, year)


def _award_decided_requests(council, year) -> None:
    today = datetime.date.today()
    decided = (
        FundingRequest.objects.filter(
            council=council, academic_year=year, status__in=FUNDED, award__isnull=True
        )
        .with_amount_asked()
        .select_related("cluster", "lead_school")
        .order_by("reference")
    )
    for number, request in enumerate(decided):
        if not request.amount_asked:
            continue
        admin = _holder(council, "cluster_admin", request.cluster) or _holder(council, "council_admin")
        amount = request.amount_asked
        if request.status == "part_approved":
            amount = amount * 7 // 10 // 100 * 100  # the meeting gave 70%, in whole pounds
        decided_on = today - (40 + 7 * (number % 4)) * DAY
        try:
            services.make_award(
                funding_request=request, amount_pence=amount, decided_on=decided_on, acting_user=admin
            )
        except services.NotEnoughMoney:
            continue


def pay_for_delivery(award, *, status: str, today: datetime.date, admin) -> None:
    """Pay what is due on support under way: its first term's part once it has started, the whole once it
    has closed; and vary one award of the council's upward, as agreed at a half-term review."""
    first = award.schedule.order_by("due_on").first()
    amount = services.award_amounts(award)["committed"]
    if first is None:
        return
    services.record_payment(
        award=award,
        amount_pence=amount if status == "closed" else first.amount_pence,
        paid_on=min(today, award.decided_on + 14 * DAY),
        note="Paid by BACS",
        acting_user=admin,
    )
    varied = Award.objects.filter(pot__council=award.pot.council, entries__entry_type="variation").exists()
    if status == "in_delivery" and not varied:
        services.vary_award(
            award=award,
            amount_pence=amount + amount // 10 // 100 * 100,
            reason="Two more weeks of sessions agreed at the half-term review",
            acting_user=admin,
        )
