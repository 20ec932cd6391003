"""The money through the JSON API, read-only: pots and their balances, ledgers and awards, through the
same selectors and predicates as the money pages. Another school's or cluster's money is not found."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router

from clusterfund.core.access import allow_or_404
from clusterfund.core.api import READ_ERRORS, ErrorOut, caller, page_of
from clusterfund.money import permissions, selectors
from clusterfund.money.schemas import (
    AwardDetailOut,
    AwardOut,
    AwardPageOut,
    BalancesOut,
    LedgerEntryOut,
    LedgerPageOut,
    PageFilter,
    PotFilters,
    PotOut,
    PotPageOut,
    ScheduledPaymentOut,
)

router = Router(tags=["Money"])


def _pot(pot, balances) -> PotOut:
    return PotOut(
        id=pot.pk,
        kind=pot.kind,
        cluster_id=pot.cluster_id,
        cluster_name=pot.cluster.name if pot.cluster_id else None,
        academic_year=pot.academic_year.name,
        closed=pot.closed_at is not None,
        balances=BalancesOut(**{f"{key}_pence": balances.get(key, 0) for key in selectors.EMPTY}),
    )


def _entry(entry) -> LedgerEntryOut:
    return LedgerEntryOut(
        id=entry.pk,
        entry_type=entry.entry_type,
        amount_pence=entry.amount_pence,
        occurred_on=entry.occurred_on,
        financial_year=entry.financial_year_name,
        academic_year=entry.pot.academic_year.name,
        award_id=entry.award_id,
        movement=str(entry.movement),
        counterpart_pot_id=entry.counterpart_id,
        reason=entry.reason,
        recorded_by=entry.actor_name,
    )


def _award(award, shape=AwardOut, **more):
    return shape(
        id=award.pk,
        reference=award.reference,
        funding_request_id=award.funding_request_id,
        pot_id=award.pot_id,
        payee_school_id=award.payee_school_id,
        payee_school_name=award.payee_school.name,
        decided_on=award.decided_on,
        status=award.status,
        committed_pence=award.committed,
        paid_pence=award.paid,
        outstanding_pence=award.outstanding,
        **more,
    )


@router.get("/pots", response={200: PotPageOut, 401: ErrorOut}, url_name="pots", summary="List pots")
def list_pots(request, filters: Query[PotFilters]):
    """The pots you may see, with their balances in pence: your council's, your clusters', or your
    school's cluster's. `academic_year` is the year it starts, such as 2026."""
    pots = selectors.pots_visible_to(caller(request)).select_related("cluster", "academic_year")
    if filters.academic_year:
        pots = pots.filter(academic_year__start_year=filters.academic_year)
    page = page_of(pots.order_by("academic_year__start_year", "pk"), page=filters.page)
    balances = selectors.balances_by_pot(page.items)
    return PotPageOut(
        count=page.count,
        page=page.page,
        pages=page.pages,
        items=[_pot(pot, balances.get(pot.pk, {})) for pot in page.items],
    )


def _pot_for(user, pot_id):
    return get_object_or_404(
        selectors.pots_visible_to(user).select_related("cluster", "academic_year"), pk=pot_id
    )


@router.get("/pots/{int:pot_id}", response={200: PotOut, **READ_ERRORS}, url_name="pot", summary="Read a pot")
def read_pot(request, pot_id: int):
    """One pot and its allocated, committed, paid, outstanding and available pence."""
    pot = _pot_for(caller(request), pot_id)
    return _pot(pot, selectors.balances_by_pot([pot]).get(pot.pk, {}))


@router.get(
    "/pots/{int:pot_id}/ledger",
    response={200: LedgerPageOut, **READ_ERRORS},
    url_name="pot-ledger",
    summary="Read a pot's ledger",
)
def read_ledger(request, pot_id: int, filters: Query[PageFilter]):
    """A pot's ledger entries, newest first, 50 to a page: for the council's SEND team and auditors and
    the cluster's admin, chair and Team Around the Cluster (schools see their own awards instead)."""
    user = caller(request)
    pot = _pot_for(user, pot_id)
    if pot.cluster_id:
        allow_or_404(permissions.can_view_cluster_ledger(user, pot.cluster))
    else:
        allow_or_404(permissions.can_view_council_money(user, pot.council))
    page = page_of(selectors.ledger_of([pot]).select_related("pot__academic_year"), page=filters.page)
    return LedgerPageOut(
        count=page.count, page=page.page, pages=page.pages, items=[_entry(entry) for entry in page.items]
    )


@router.get("/awards", response={200: AwardPageOut, 401: ErrorOut}, url_name="awards", summary="List awards")
def list_awards(request, filters: Query[PageFilter]):
    """Awards you may see, newest first, with what is committed, paid and still to pay."""
    page = page_of(selectors.awards_visible_to(caller(request)), page=filters.page)
    return AwardPageOut(
        count=page.count,
        page=page.page,
        pages=page.pages,
        items=[_award(award) for award in selectors.with_amounts(page.items)],
    )


@router.get(
    "/awards/{int:award_id}",
    response={200: AwardDetailOut, **READ_ERRORS},
    url_name="award",
    summary="Read an award",
)
def read_award(request, award_id: int):
    """An award with its payment schedule and its ledger entries: commitment, payments and variations."""
    user = caller(request)
    award = selectors.award_for_page(user, award_id)
    allow_or_404(award is not None and permissions.can_view_award(user, award))
    (award,) = selectors.with_amounts([award])
    return _award(
        award,
        AwardDetailOut,
        schedule=[
            ScheduledPaymentOut(due_on=row.due_on, amount_pence=row.amount_pence)
            for row in award.schedule.all()
        ],
        entries=[
            _entry(entry) for entry in selectors.award_entries(award).select_related("pot__academic_year")
        ],
    )
