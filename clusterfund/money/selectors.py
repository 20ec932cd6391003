"""Reads of the money, already scoped to what the person may see. Balances are aggregates over the
ledger, worked out for many pots in one query."""

import datetime

from django.db.models import Count, F, Q, QuerySet

from clusterfund.accounts.permissions import scope_of
from clusterfund.money.models import (
    Award,
    ClusterShare,
    CustomFactor,
    FundingFormula,
    LedgerEntry,
    Pot,
)
from clusterfund.organisations.models import AcademicYear, Cluster, SchoolCensus

EMPTY = {"allocated": 0, "committed": 0, "paid": 0, "available": 0, "outstanding": 0}


def balances_by_pot(pots) -> dict[int, dict[str, int]]:
    """Allocated, committed, paid, outstanding and available pence for each pot, in one query."""
    return LedgerEntry.objects.filter(pot__in=pots).balances_by("pot")


def year_of(council, start_year: int | None) -> AcademicYear | None:
    """The council's academic year starting in `start_year`, or its current one."""
    years = AcademicYear.objects.filter(council=council)
    return years.filter(start_year=start_year).first() if start_year else years.current()


def committed_formula(council, academic_year) -> FundingFormula | None:
    return (
        FundingFormula.objects.filter(council=council, academic_year=academic_year, status="committed")
        .prefetch_related("weights")
        .first()
    )


def draft_formula(council, academic_year) -> FundingFormula | None:
    return (
        FundingFormula.objects.filter(council=council, academic_year=academic_year, status="draft")
        .prefetch_related("weights")
        .first()
    )


def formula_versions(council, academic_year) -> QuerySet[FundingFormula]:
    return FundingFormula.objects.filter(council=council, academic_year=academic_year).select_related(
        "committed_by", "created_by"
    )


def shares_of(formula: FundingFormula | None) -> dict[int, ClusterShare]:
    """What the formula gave each cluster, by cluster id."""
    if formula is None:
        return {}
    return {share.cluster_id: share for share in formula.shares.select_related("cluster")}


def council_money(council, academic_year) -> dict:
    """Every cluster's money side by side for the year: each pot's balances, the council's own pot, and
    totals. Five queries whatever the number of clusters."""
    pots = list(Pot.objects.filter(academic_year=academic_year).select_related("cluster"))
    balances = balances_by_pot(pots)
    clusters = list(Cluster.objects.filter(council=council).order_by("is_city_pool", "number", "name"))
    by_cluster: dict = {
        cluster.pk: {"cluster": cluster, "main": None, "contingency": None} for cluster in clusters
    }
    high_needs = None
    for pot in pots:
        pot.balances = balances.get(pot.pk, dict(EMPTY))
        if pot.kind == Pot.Kind.HIGH_NEEDS:
            high_needs = pot
        elif pot.cluster_id in by_cluster:
            by_cluster[pot.cluster_id]["main" if pot.kind == Pot.Kind.CLUSTER else "contingency"] = pot
    rows = list(by_cluster.values())
    totals = {
        part: {key: sum((row[part].balances[key] if row[part] else 0) for row in rows) for key in EMPTY}
        for part in ("main", "contingency")
    }
    return {
        "rows": rows,
        "high_needs": high_needs,
        "totals": totals,
        "closed": any(p.closed_at for p in pots),
    }


def cluster_pots(cluster, academic_year) -> dict:
    """The cluster's pot and contingency for the year, each with its balances (None until funded)."""
    pots = list(Pot.objects.filter(cluster=cluster, academic_year=academic_year))
    balances = balances_by_pot(pots)
    found = {"main": None, "contingency": None}
    for pot in pots:
        pot.balances = balances.get(pot.pk, dict(EMPTY))
        found["main" if pot.kind == Pot.Kind.CLUSTER else "contingency"] = pot
    return found


def ledger_of(pots, *, entry_type: str = "", financial_year: int | None = None) -> QuerySet[LedgerEntry]:
    """The entries of these pots, newest first, filtered by type and financial year."""
    entries = (
        LedgerEntry.objects.filter(pot__in=pots)
        .select_related("pot__cluster", "award__payee_school")
        .order_by("-occurred_on", "-id")
    )
    if entry_type:
        entries = entries.filter(entry_type=entry_type)
    if financial_year:
        entries = entries.filter(financial_year=financial_year)
    return entries


def financial_years_of(pots) -> list[int]:
    return sorted(
        set(LedgerEntry.objects.filter(pot__in=pots).order_by().values_list("financial_year", flat=True))
    )


def awards_visible_to(user) -> QuerySet[Award]:
    """Awards the person may open: their own schools', and every award of the clusters whose ledger they
    read (their council's, or the clusters they work in)."""
    scope = scope_of(user)
    return Award.objects.filter(
        Q(payee_school_id__in=scope.staff_of)
        | Q(pot__council_id__in=scope.overseen_councils)
        | Q(pot__cluster_id__in=scope.cluster_roles_in)
    ).select_related("pot__cluster", "pot__academic_year", "payee_school", "funding_request")


def award_for_page(user, pk: int) -> Award | None:
    return awards_visible_to(user).filter(pk=pk).first()


def with_amounts(awards) -> list[Award]:
    """The awards with `committed`, `paid` and `outstanding` pence, in one query for all of them."""
    awards = list(awards)
    amounts = LedgerEntry.objects.filter(award__in=awards).balances_by("award")
    for award in awards:
        row = amounts.get(award.pk, EMPTY)
        award.committed, award.paid, award.outstanding = row["committed"], row["paid"], row["outstanding"]
    return awards


def awards_of_school(school, academic_year=None) -> list[Award]:
    awards = Award.objects.filter(payee_school=school).select_related(
        "pot__cluster", "pot__academic_year", "funding_request"
    )
    if academic_year is not None:
        awards = awards.filter(pot__academic_year=academic_year)
    return with_amounts(awards)


def awards_of_pots(pots) -> list[Award]:
    return with_amounts(
        Award.objects.filter(pot__in=pots).select_related("pot", "payee_school", "funding_request")
    )


def award_entries(award) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(award=award).order_by("occurred_on", "id")


def pots_visible_to(user) -> QuerySet[Pot]:
    """Pots the person may read through the API: their council's (SEND team, auditors), their clusters',
    and their schools' clusters'."""
    scope = scope_of(user)
    return Pot.objects.filter(
        Q(council_id__in=scope.overseen_councils)
        | Q(cluster_id__in=scope.cluster_roles_in)
        | Q(
            cluster__memberships__school_id__in=scope.staff_of,
            cluster__memberships__academic_year=F("academic_year"),
        )
    ).distinct()


def years_of(council) -> QuerySet[AcademicYear]:
    return AcademicYear.objects.filter(council=council).order_by("-start_year")


def census_months(council) -> list[datetime.date]:
    """The census months the council has counts for, newest first."""
    return list(
        SchoolCensus.objects.filter(school__council=council)
        .order_by("-census_month")
        .values_list("census_month", flat=True)
        .distinct()
    )


def parse_month(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def what_if(council, committed: dict[int, ClusterShare], draft: list[ClusterShare]) -> list[dict]:
    """Every cluster's amount under the committed formula and under the draft, and the difference."""
    drafted = {share.cluster_id: share for share in draft}
    rows = []
    for cluster in Cluster.objects.filter(council=council).order_by("is_city_pool", "number", "name"):
        now, then = committed.get(cluster.pk), drafted.get(cluster.pk)
        if now is None and then is None:
            continue
        rows.append(
            {
                "cluster": cluster,
                "committed": now.amount_pence if now else 0,
                "draft": then.amount_pence if then else None,
                "difference": (then.amount_pence if then else 0) - (now.amount_pence if now else 0)
                if draft
                else None,
                "share": then or now,
            }
        )
    return rows


def custom_factors(council, academic_year) -> QuerySet[CustomFactor]:
    """The council's own factors, each with `schools`: how many schools have a value for the year."""
    return CustomFactor.objects.filter(council=council).annotate(
        schools=Count("values", filter=Q(values__academic_year=academic_year))
    )


def pots_of_year(academic_year) -> QuerySet[Pot]:
    """The year's pots, in the order the council's money page lists them."""
    return Pot.objects.filter(academic_year=academic_year).select_related("cluster", "academic_year")
