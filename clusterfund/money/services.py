"""Every change to the money: draft and commit a formula, which fills the pots; make, vary, pay and end
awards; move money between pots; close a year.

Each service runs in one transaction that also writes its audit event. Anything that takes money from a
pot locks the pot's row first and reads its balance from the ledger after the lock, so two admins or two
meetings committing at the same instant queue one behind the other and can never overspend.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from clusterfund.audit.services import record_event
from clusterfund.core.errors import Invalid, Refused
from clusterfund.core.formatting import pounds
from clusterfund.money.formula import CENSUS_FACTORS, FormulaError, allocate, largest_remainder
from clusterfund.money.models import (
    Award,
    ClusterShare,
    CustomFactor,
    CustomFactorValue,
    EntryType,
    FormulaWeight,
    FundingFormula,
    LedgerEntry,
    Pot,
    ScheduledPayment,
    financial_year_of,
)
from clusterfund.money.permissions import can_award_by_chairs_action, can_manage_money, can_manage_pot
from clusterfund.organisations.models import AcademicYear, Cluster, ClusterMembership, SchoolCensus

REASON_LIMIT = 1000
MOST_PENCE = 10**15  # ten million million pounds: beyond any council's pot, within every database's integers


class MoneyError(Refused):
    """A change the money rules forbid, with a message the person can read."""


class MoneyInvalid(Invalid, MoneyError):
    """What the person entered is wrong; `errors` maps each field to what is wrong with it."""


class NotEnoughMoney(MoneyError):
    """Committing this would take a pot below nothing."""


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise MoneyError(message)


def _reason(errors: dict, value: str, *, field="reason", what="the reason") -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = f"Enter {what}"
    elif len(value) > REASON_LIMIT:
        errors[field] = f"{what[0].upper()}{what[1:]} must be {REASON_LIMIT:,} characters or fewer"
    return value


def _pence(errors: dict, field: str, value, label: str, *, required=True, positive=False) -> int | None:
    if value is None:
        if required:
            errors[field] = f"Enter {label}"
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        errors[field] = f"{label[0].upper()}{label[1:]} must be an amount in pounds and pence"
    elif value < 0 or (positive and value == 0):
        errors[field] = (
            f"{label[0].upper()}{label[1:]} must be more than £0"
            if positive
            else (f"{label[0].upper()}{label[1:]} cannot be negative")
        )
    elif value > MOST_PENCE:
        errors[field] = f"{label[0].upper()}{label[1:]} is too large"
    return value


def _locked(pot: Pot) -> Pot:
    """The pot, locked for the rest of this transaction (a row lock on PostgreSQL; SQLite takes its write
    lock when the transaction begins)."""
    pots = Pot.objects.select_for_update(of=("self",)).select_related("cluster", "academic_year")
    return pots.get(pk=pot.pk)


def _entry(
    *, pot: Pot, entry_type: str, amount: int, reason: str, acting_user, on=None, **links
) -> LedgerEntry:
    on = on or timezone.localdate()
    return LedgerEntry.objects.create(
        pot=pot,
        entry_type=entry_type,
        amount_pence=amount,
        financial_year=financial_year_of(on),
        academic_year_id=pot.academic_year_id,
        occurred_on=on,
        reason=reason,
        acting_user=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        actor_name=str(acting_user) if acting_user is not None else "System",
        **links,
    )


def balances_of(pot: Pot) -> dict[str, int]:
    """The pot's allocated, committed, paid, outstanding and available pence, from its ledger."""
    return LedgerEntry.objects.filter(pot=pot).balances()


def pot_for(*, council, academic_year, kind: str, cluster=None) -> Pot:
    """The pot of that kind for the cluster (or the council's High Needs pot), made on first use."""
    pot, _ = Pot.objects.get_or_create(
        council=council, academic_year=academic_year, cluster=cluster, kind=kind
    )
    return pot


# The formula


def _weights_of(formula: FundingFormula) -> dict[str, Decimal]:
    return {weight.factor: weight.weight for weight in formula.weights.all()}


def known_factors(council) -> dict[str, str]:
    """Every factor a formula of the council's can weigh: the census counts, then its own factors."""
    factors = dict(CENSUS_FACTORS)
    factors.update({f.code: f.name for f in CustomFactor.objects.filter(council=council)})
    return factors


@transaction.atomic
def start_formula_draft(*, council, academic_year: AcademicYear, acting_user) -> FundingFormula:
    """A new draft for the year, starting from the committed version (or from sensible blanks: every
    census factor weighted 0 but SEN support and EHC plans, weighted 1)."""
    _refuse_unless(can_manage_money(acting_user, council), "Only the council's SEND team sets the formula.")
    _refuse_unless(academic_year.council_id == council.pk, "That year is not the council's.")
    if FundingFormula.objects.filter(council=council, academic_year=academic_year, status="draft").exists():
        raise MoneyError("There is already a draft formula for this year: change that one.")
    base = (
        FundingFormula.objects.filter(council=council, academic_year=academic_year)
        .exclude(status=FundingFormula.Status.DRAFT)
        .order_by("-version")
        .first()
    )
    last_version = base.version if base else 0
    census = SchoolCensus.objects.filter(school__council=council).order_by("-census_month").first()
    draft = FundingFormula.objects.create(
        council=council,
        academic_year=academic_year,
        version=last_version + 1,
        high_needs_pence=base.high_needs_pence if base else 0,
        top_slice_percent=base.top_slice_percent if base else None,
        top_slice_pence=base.top_slice_pence if base else None,
        census_month=base.census_month
        if base
        else (census.census_month if census else academic_year.starts_on),
        floor_pence=base.floor_pence if base else None,
        cap_pence=base.cap_pence if base else None,
        created_by=acting_user,
    )
    weights = _weights_of(base) if base else {"sen_support": Decimal(1), "ehc_plans": Decimal(1)}
    FormulaWeight.objects.bulk_create(
        FormulaWeight(formula=draft, factor=factor, weight=weights.get(factor, Decimal(0)))
        for factor in known_factors(council)
    )
    record_event(
        acting_user=acting_user,
        action="formula.draft_started",
        obj=draft,
        council=council,
        after={"version": draft.version},
    )
    return draft


@transaction.atomic
def change_formula_draft(
    *,
    formula: FundingFormula,
    high_needs_pence,
    top_slice_percent,
    top_slice_pence,
    census_month,
    floor_pence,
    cap_pence,
    weights: dict,
    acting_user,
) -> FundingFormula:
    """Change a draft formula. Everything is checked together and nothing is saved if anything is wrong."""
    formula = FundingFormula.objects.select_for_update().get(pk=formula.pk)
    _refuse_unless(
        can_manage_money(acting_user, formula.council), "Only the council's SEND team sets the formula."
    )
    _refuse_unless(formula.is_draft, "A committed formula cannot be changed: start a new version instead.")
    errors: dict[str, str] = {}
    _pence(errors, "high_needs_pence", high_needs_pence, "the High Needs amount for clusters", positive=True)
    _pence(errors, "top_slice_pence", top_slice_pence, "the top-slice", required=False)
    _pence(errors, "floor_pence", floor_pence, "the floor", required=False)
    _pence(errors, "cap_pence", cap_pence, "the cap", required=False)
    if top_slice_percent is not None and not (Decimal(0) <= top_slice_percent <= Decimal(100)):
        errors["top_slice_percent"] = "The top-slice must be between 0 and 100 per cent"
    if top_slice_percent is not None and top_slice_pence is not None:
        errors["top_slice_pence"] = "Give the top-slice as a percentage or an amount, not both"
    if "high_needs_pence" not in errors and top_slice_pence and top_slice_pence > high_needs_pence:
        errors["top_slice_pence"] = "The top-slice cannot be more than the High Needs amount"
    if floor_pence is not None and cap_pence is not None and not errors and cap_pence < floor_pence:
        errors["cap_pence"] = "The cap must be at least the floor"
    if census_month is None:
        errors["census_month"] = "Choose the census the formula reads"
    elif not SchoolCensus.objects.filter(school__council=formula.council, census_month=census_month).exists():
        errors["census_month"] = "The council has no census counts for that month"
    known = known_factors(formula.council)
    for factor, weight in weights.items():
        if factor not in known:
            errors[f"weight_{factor}"] = f"There is no factor called {factor}"
        elif weight is None:
            errors[f"weight_{factor}"] = (
                f"Enter a weight for {_lower_first(known[factor])} (0 to leave it out)"
            )
        elif weight < 0:
            errors[f"weight_{factor}"] = f"The weight for {_lower_first(known[factor])} cannot be negative"
        elif weight != weight.quantize(Decimal("0.0001")) or weight >= Decimal(10**10):
            errors[f"weight_{factor}"] = (
                f"The weight for {_lower_first(known[factor])} must be a number with at most 4 decimal places"
            )
    if not errors and not any(weights.values()):
        errors["weights"] = "Give at least one factor a weight above 0"
    if errors:
        raise MoneyInvalid(errors)
    before = _formula_values(formula)
    formula.high_needs_pence = high_needs_pence
    formula.top_slice_percent = top_slice_percent
    formula.top_slice_pence = top_slice_pence
    formula.census_month = census_month
    formula.floor_pence = floor_pence
    formula.cap_pence = cap_pence
    formula.save()
    for factor, weight in weights.items():
        FormulaWeight.objects.update_or_create(formula=formula, factor=factor, defaults={"weight": weight})
    after = _formula_values(formula)
    record_event(
        acting_user=acting_user,
        action="formula.draft_changed",
        obj=formula,
        council=formula.council,
        before=before,
        after=after,
    )
    return formula


def _lower_first(text: str) -> str:
    return f"{text[0].lower()}{text[1:]}"


def _formula_values(formula: FundingFormula) -> dict:
    return {
        "high_needs_pence": formula.high_needs_pence,
        "top_slice_percent": None if formula.top_slice_percent is None else str(formula.top_slice_percent),
        "top_slice_pence": formula.top_slice_pence,
        "census_month": formula.census_month.isoformat(),
        "floor_pence": formula.floor_pence,
        "cap_pence": formula.cap_pence,
        "weights": {factor: str(weight) for factor, weight in _weights_of(formula).items()},
    }


def top_slice_of(formula: FundingFormula) -> int:
    """The city contingency taken off the top, in pence (a percentage rounded half up to the penny)."""
    if formula.top_slice_pence is not None:
        return formula.top_slice_pence
    if formula.top_slice_percent:
        exact = Decimal(formula.high_needs_pence) * formula.top_slice_percent / 100
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return 0


def city_pool_of(council) -> Cluster | None:
    return Cluster.objects.filter(council=council, is_city_pool=True).first()


def work_out_shares(formula: FundingFormula) -> list[ClusterShare]:
    """What the formula gives each cluster this year, unsaved: the weighted sum of its member schools'
    factors, shared by largest remainder so the pence add up to the pot after the top-slice. Each
    cluster's contingency is its percentage of its share, rounded half up; the city pool's share is the
    top-slice, all of it contingency."""
    clusters = list(
        Cluster.objects.filter(council=formula.council, is_city_pool=False).order_by("number", "name")
    )
    if not clusters:
        raise MoneyError("The council has no clusters to share the pot between.")
    weights = _weights_of(formula)
    memberships = ClusterMembership.objects.filter(
        academic_year=formula.academic_year, cluster__in=clusters
    ).values_list("cluster_id", "school_id")
    school_cluster = dict((school, cluster) for cluster, school in memberships)
    census = {
        row["school_id"]: row
        for row in SchoolCensus.objects.filter(
            school_id__in=school_cluster, census_month=formula.census_month
        ).values("school_id", *CENSUS_FACTORS)
    }
    custom = {}
    for code, school_id, value in CustomFactorValue.objects.filter(
        factor__council=formula.council, academic_year=formula.academic_year, school_id__in=school_cluster
    ).values_list("factor__code", "school_id", "value"):
        custom.setdefault(school_id, {})[code] = value
    totals = {str(cluster.pk): {factor: Fraction(0) for factor in weights} for cluster in clusters}
    schools = dict.fromkeys(totals, 0)
    for school_id, cluster_id in school_cluster.items():
        row = {**census.get(school_id, {}), **custom.get(school_id, {})}
        schools[str(cluster_id)] += 1
        for factor in weights:
            totals[str(cluster_id)][factor] += Fraction(row.get(factor) or 0)
    top_slice = top_slice_of(formula)
    city_pool = city_pool_of(formula.council)
    if top_slice and city_pool is None:
        raise MoneyError("The council has no city pool to hold a top-slice.")
    shared, count = formula.high_needs_pence - top_slice, len(clusters)
    if formula.floor_pence and formula.floor_pence * count > shared:
        raise MoneyError(
            f"A floor of {pounds(formula.floor_pence)} for each of the {count} clusters needs "
            f"{pounds(formula.floor_pence * count)}, more than the {pounds(shared)} to share."
        )
    if formula.cap_pence is not None and formula.cap_pence * count < shared:
        raise MoneyError(
            f"A cap of {pounds(formula.cap_pence)} for each of the {count} clusters shares at most "
            f"{pounds(formula.cap_pence * count)}, less than the {pounds(shared)} to share."
        )
    try:
        result = allocate(
            pot_pence=formula.high_needs_pence - top_slice,
            factor_totals=totals,
            weights={factor: Fraction(weight) for factor, weight in weights.items() if weight},
            floor_pence=formula.floor_pence,
            cap_pence=formula.cap_pence,
        )
    except FormulaError as error:
        raise MoneyError(str(error)) from error
    by_pk = {str(cluster.pk): cluster for cluster in clusters}
    shares = []
    for share in result:
        cluster = by_pk[share.group]
        contingency = int(
            (Decimal(share.amount_pence) * cluster.contingency_percent / 100).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )
        shares.append(
            ClusterShare(
                formula=formula,
                cluster=cluster,
                schools=schools[share.group],
                factor_totals={f: _exact_text(total) for f, total in totals[share.group].items()},
                score=_exact_text(share.score),
                proportional_pence=_exact_text(share.proportional_pence),
                amount_pence=share.amount_pence,
                contingency_pence=contingency,
                floor_applied=share.floor_applied,
                cap_applied=share.cap_applied,
            )
        )
    if city_pool is not None and top_slice:
        shares.append(
            ClusterShare(
                formula=formula, cluster=city_pool, amount_pence=top_slice, contingency_pence=top_slice
            )
        )
    return shares


def _exact_text(value: Fraction) -> str:
    """A fraction as decimal text, to 4 places where it does not end sooner."""
    if value.denominator == 1:
        return str(value.numerator)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001")))


@transaction.atomic
def commit_formula(*, formula: FundingFormula, reason: str, acting_user) -> FundingFormula:
    """Commit a draft for its year: the High Needs amount goes into the council's pot, the top-slice to the
    city pool, and each cluster's share into its pot and contingency. A version that supersedes a committed
    one moves only the differences, with the reason, and is refused if a pot would have less than it has
    already committed."""
    formula = (
        FundingFormula.objects.select_for_update()
        .select_related("council", "academic_year")
        .get(pk=formula.pk)
    )
    council, year = formula.council, formula.academic_year
    _refuse_unless(
        can_manage_money(acting_user, council), "Only the council's SEND team commits the formula."
    )
    _refuse_unless(formula.is_draft, "This formula is already committed.")
    _refuse_unless(
        not Pot.objects.filter(academic_year=year, closed_at__isnull=False).exists(),
        "The year has been closed: its formula can no longer change.",
    )
    current = FundingFormula.objects.filter(council=council, academic_year=year, status="committed").first()
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if current is not None:
        reason = _reason(errors, reason, what="why this version supersedes the committed one")
    if errors:
        raise MoneyInvalid(errors)
    if formula.high_needs_pence <= 0:
        raise MoneyError("Enter the High Needs amount for clusters before committing the formula.")
    shares = work_out_shares(formula)
    high_needs = pot_for(council=council, academic_year=year, kind=Pot.Kind.HIGH_NEEDS)
    _locked(high_needs)
    why = f"Formula version {formula.version}" + (f": {reason}" if reason else "")
    previous_amount = current.high_needs_pence if current else 0
    if formula.high_needs_pence != previous_amount:
        _entry(
            pot=high_needs,
            entry_type=EntryType.ALLOCATION,
            amount=formula.high_needs_pence - previous_amount,
            reason=f"{why}: High Needs amount for clusters",
            acting_user=acting_user,
        )
    new, old = _pot_amounts(shares), _pot_amounts(current.shares.select_related("cluster") if current else [])
    touched = [high_needs]
    for (cluster, kind), amount in {**dict.fromkeys(old, 0), **new}.items():
        previous = old.get((cluster, kind), 0)
        if amount == previous:
            continue
        pot = _locked(pot_for(council=council, academic_year=year, cluster=cluster, kind=kind))
        touched.append(pot)
        _move_between(
            from_pot=high_needs,
            to_pot=pot,
            amount=amount - previous,
            entry_type=EntryType.TOP_SLICE if cluster.is_city_pool else EntryType.ALLOCATION,
            reason=why,
            acting_user=acting_user,
        )
    for pot in touched:
        if balances_of(pot)["available"] < 0:
            raise NotEnoughMoney(
                f"{pot} has already committed more than this version gives it, so it cannot be committed."
            )
    ClusterShare.objects.bulk_create(shares)
    if current is not None:
        current.status = FundingFormula.Status.SUPERSEDED
        current.save(update_fields=["status"])
    formula.status = FundingFormula.Status.COMMITTED
    formula.reason = reason
    formula.committed_by = acting_user
    formula.committed_at = timezone.now()
    formula.save(update_fields=["status", "reason", "committed_by", "committed_at"])
    record_event(
        acting_user=acting_user,
        action="formula.committed",
        obj=formula,
        council=council,
        before={"version": current.version} if current else None,
        after={
            **_formula_values(formula),
            "reason": reason,
            "shares": {share.cluster.name: share.amount_pence for share in shares},
        },
    )
    return formula


def _pot_amounts(shares) -> dict[tuple, int]:
    """What each pot gets from these shares: the city pool's all contingency; a cluster's split between
    its pot and its contingency."""
    amounts = {}
    for share in shares:
        if share.cluster.is_city_pool:
            amounts[(share.cluster, Pot.Kind.CONTINGENCY)] = share.amount_pence
        else:
            amounts[(share.cluster, Pot.Kind.CLUSTER)] = share.main_pence
            amounts[(share.cluster, Pot.Kind.CONTINGENCY)] = share.contingency_pence
    return amounts


def _move_between(
    *, from_pot: Pot, to_pot: Pot, amount: int, entry_type: str, reason: str, acting_user, on=None
):
    """Two entries with one movement id: `amount` out of one pot and into the other (negative reverses)."""
    out = _entry(
        pot=from_pot,
        entry_type=entry_type,
        amount=-amount,
        reason=reason,
        acting_user=acting_user,
        counterpart=to_pot,
        on=on,
    )
    _entry(
        pot=to_pot,
        entry_type=entry_type,
        amount=amount,
        reason=reason,
        acting_user=acting_user,
        counterpart=from_pot,
        movement=out.movement,
        on=on,
    )
    return out


@transaction.atomic
def transfer(*, from_pot: Pot, to_pot: Pot, amount_pence, reason: str, acting_user) -> LedgerEntry:
    """Move uncommitted money from one pot to another of the same council and year, for example to top up
    a cluster's contingency. Refused beyond what the first pot has available."""
    errors: dict[str, str] = {}
    _pence(errors, "amount_pence", amount_pence, "the amount", positive=True)
    reason = _reason(errors, reason, what="why the money moves")
    if from_pot.pk == to_pot.pk:
        errors["to_pot"] = "Choose a different pot to move the money to"
    if errors:
        raise MoneyInvalid(errors)
    _refuse_unless(
        from_pot.council_id == to_pot.council_id and from_pot.academic_year_id == to_pot.academic_year_id,
        "Money moves only between pots of the same council and year.",
    )
    _refuse_unless(
        can_manage_money(acting_user, from_pot.council), "Only the council's SEND team moves money."
    )
    first, second = sorted([from_pot, to_pot], key=lambda pot: pot.pk)  # one lock order, so no deadlock
    locked = {pot.pk: _locked(pot) for pot in (first, second)}
    from_pot, to_pot = locked[from_pot.pk], locked[to_pot.pk]
    _refuse_unless(from_pot.closed_at is None and to_pot.closed_at is None, "The year has been closed.")
    available = balances_of(from_pot)["available"]
    if amount_pence > available:
        raise NotEnoughMoney(
            f"{from_pot} has {pounds(available)} available, less than {pounds(amount_pence)}."
        )
    entry = _move_between(
        from_pot=from_pot,
        to_pot=to_pot,
        amount=amount_pence,
        entry_type=EntryType.TRANSFER,
        reason=reason,
        acting_user=acting_user,
    )
    record_event(
        acting_user=acting_user,
        action="money.transferred",
        obj=entry,
        council=from_pot.council,
        after={"from": str(from_pot), "to": str(to_pot), "amount_pence": amount_pence, "reason": reason},
    )
    return entry


# Awards


def pot_for_request(funding_request) -> Pot:
    """Where a request's award is paid from: the city pool's contingency for a request heard at the city
    meeting, the cluster's contingency for other emergencies, and the cluster's pot for everything else."""
    council, year = funding_request.council, funding_request.academic_year
    if funding_request.request_type == "contingency":
        city_pool = city_pool_of(council) if funding_request.to_city_meeting else None
        return pot_for(
            council=council,
            academic_year=year,
            cluster=city_pool or funding_request.cluster,
            kind=Pot.Kind.CONTINGENCY,
        )
    return pot_for(
        council=council, academic_year=year, cluster=funding_request.cluster, kind=Pot.Kind.CLUSTER
    )


def _default_schedule(funding_request, amount: int, decided_on: datetime.date) -> list[tuple]:
    """Paid per term, in proportion to the costed provision in each term and by largest remainder, due on
    the later of the term's first day and the decision; one payment when the provision has no terms."""
    by_term: dict = {}
    for line in funding_request.provision_lines.select_related("term").prefetch_related("term__half_terms"):
        by_term.setdefault(line.term, 0)
        by_term[line.term] += line.total_pence
    total = sum(by_term.values())
    if not total:
        return [(decided_on, amount, None)]
    parts = largest_remainder(
        {str(term.pk): Fraction(amount * asked, total) for term, asked in by_term.items()}, amount
    )
    schedule = []
    for term in sorted(by_term, key=lambda t: t.number):
        starts = min(half.starts_on for half in term.half_terms.all())
        schedule.append((max(starts, decided_on), parts[str(term.pk)], term))
    return [row for row in schedule if row[1]]


@transaction.atomic
def make_award(
    *,
    funding_request,
    amount_pence,
    decided_on: datetime.date,
    acting_user,
    pot: Pot | None = None,
    reason="",
    chairs_action=False,
) -> Award:
    """Commit money to a decided request, payable to its lead school on a schedule per term. Refused when
    the pot has less available than the award, however many awards are being made at the same instant.
    With `chairs_action`, the cluster's chair may make it."""
    errors: dict[str, str] = {}
    _pence(errors, "amount_pence", amount_pence, "the amount awarded", positive=True)
    if errors:
        raise MoneyInvalid(errors)
    pot = _locked(pot or pot_for_request(funding_request))
    _refuse_unless(
        can_manage_pot(acting_user, pot) or (chairs_action and can_award_by_chairs_action(acting_user, pot)),
        "Only the cluster's admin or the council's SEND team awards money.",
    )
    _refuse_unless(pot.closed_at is None, "The pot's year has been closed.")
    _refuse_unless(pot.council_id == funding_request.council_id, "The pot is not the request's council's.")
    _refuse_unless(
        not Award.objects.filter(funding_request=funding_request).exists(),
        "The request already has an award.",
    )
    available = balances_of(pot)["available"]
    if amount_pence > available:
        raise NotEnoughMoney(
            f"{pot} has {pounds(available)} available, so it cannot commit {pounds(amount_pence)}."
        )
    award = Award.objects.create(
        reference=funding_request.reference,
        pot=pot,
        funding_request=funding_request,
        payee_school=funding_request.lead_school,
        decided_on=decided_on,
        created_by=acting_user,
    )
    _entry(
        pot=pot,
        entry_type=EntryType.COMMITMENT,
        amount=amount_pence,
        reason=reason or f"Award for {funding_request.reference}",
        acting_user=acting_user,
        award=award,
        on=decided_on,
    )
    ScheduledPayment.objects.bulk_create(
        ScheduledPayment(award=award, due_on=due, amount_pence=part, term=term)
        for due, part, term in _default_schedule(funding_request, amount_pence, decided_on)
    )
    record_event(
        acting_user=acting_user,
        action="award.made",
        obj=award,
        council=pot.council,
        after={"amount_pence": amount_pence, "pot": str(pot), "payee": funding_request.lead_school.name},
    )
    return award


def award_amounts(award: Award) -> dict[str, int]:
    """The award's committed (after variations and release), paid and outstanding pence."""
    totals = LedgerEntry.objects.filter(award=award).balances()
    return {"committed": totals["committed"], "paid": totals["paid"], "outstanding": totals["outstanding"]}


def _locked_award(award: Award) -> tuple[Award, Pot]:
    pot = _locked(award.pot)
    awards = Award.objects.select_for_update(of=("self",)).select_related("funding_request")
    return awards.get(pk=award.pk), pot


@transaction.atomic
def vary_award(*, award: Award, amount_pence, reason: str, acting_user) -> Award:
    """Change an award's amount, with a reason: up only within the pot's available balance, down never
    below what has been paid."""
    errors: dict[str, str] = {}
    _pence(errors, "amount_pence", amount_pence, "the new amount", positive=True)
    reason = _reason(errors, reason, what="why the award changes")
    if errors:
        raise MoneyInvalid(errors)
    award, pot = _locked_award(award)
    _refuse_unless(
        can_manage_pot(acting_user, pot), "Only the cluster's admin or the council's SEND team varies awards."
    )
    _refuse_unless(award.status == Award.Status.ACTIVE, "The award has ended and cannot be varied.")
    amounts = award_amounts(award)
    _refuse_unless(
        pot.closed_at is None or amount_pence < amounts["committed"],
        "The pot's year has been closed: an award from it can only go down.",
    )
    difference = amount_pence - amounts["committed"]
    if difference == 0:
        raise MoneyInvalid({"amount_pence": f"The award is already {pounds(amount_pence)}"})
    if amount_pence < amounts["paid"]:
        raise MoneyInvalid(
            {"amount_pence": f"{pounds(amounts['paid'])} has been paid: the award cannot be less than that"}
        )
    if difference > 0:
        available = balances_of(pot)["available"]
        if difference > available:
            raise NotEnoughMoney(
                f"{pot} has {pounds(available)} available, less than the {pounds(difference)} more."
            )
    _entry(
        pot=pot,
        entry_type=EntryType.VARIATION,
        amount=difference,
        reason=reason,
        acting_user=acting_user,
        award=award,
    )
    _reschedule(award, amount_pence)
    if pot.closed_at is not None:
        _settle_closed_pot(pot, acting_user, reason=f"Released from {award.reference} after the year end")
    record_event(
        acting_user=acting_user,
        action="award.varied",
        obj=award,
        council=pot.council,
        before={"amount_pence": amounts["committed"]},
        after={"amount_pence": amount_pence, "reason": reason},
    )
    return award


def _reschedule(award: Award, amount: int) -> None:
    """Keep the schedule adding up to the award: the change falls on the payments not yet made, last first."""
    schedule = list(award.schedule.order_by("due_on"))
    difference = amount - sum(row.amount_pence for row in schedule)
    if difference > 0:
        last = (
            schedule[-1]
            if schedule
            else ScheduledPayment(award=award, due_on=timezone.localdate(), amount_pence=0)
        )
        last.amount_pence += difference
        last.save()
        return
    left = -difference
    for row in reversed(schedule):
        if not left:
            break
        cut = min(row.amount_pence, left)
        row.amount_pence -= cut
        left -= cut
        if row.amount_pence:
            row.save()
        else:
            row.delete()


@transaction.atomic
def record_payment(
    *, award: Award, amount_pence, paid_on: datetime.date, note: str, acting_user
) -> LedgerEntry:
    """Record money paid to the award's school. Refused beyond what is still committed and unpaid."""
    errors: dict[str, str] = {}
    _pence(errors, "amount_pence", amount_pence, "the amount paid", positive=True)
    if paid_on is None:
        errors["paid_on"] = "Enter the date it was paid"
    elif paid_on > timezone.localdate():
        errors["paid_on"] = "The date it was paid must be today or in the past"
    note = (note or "").strip()
    if len(note) > REASON_LIMIT:
        errors["note"] = f"The note must be {REASON_LIMIT:,} characters or fewer"
    if errors:
        raise MoneyInvalid(errors)
    award, pot = _locked_award(award)
    _refuse_unless(
        can_manage_pot(acting_user, pot),
        "Only the cluster's admin or the council's SEND team records payments.",
    )
    if paid_on < award.decided_on:
        raise MoneyInvalid({"paid_on": "The date it was paid must be on or after the award was made"})
    outstanding = award_amounts(award)["outstanding"]
    if amount_pence > outstanding:
        raise MoneyInvalid({"amount_pence": f"Only {pounds(outstanding)} of the award is still to pay"})
    entry = _entry(
        pot=pot,
        entry_type=EntryType.PAYMENT,
        amount=amount_pence,
        reason=note or f"Payment to {award.payee_school.name}",
        acting_user=acting_user,
        award=award,
        on=paid_on,
    )
    record_event(
        acting_user=acting_user,
        action="award.payment_recorded",
        obj=award,
        council=pot.council,
        after={"amount_pence": amount_pence, "paid_on": paid_on.isoformat()},
    )
    return entry


@transaction.atomic
def end_award_early(*, award: Award, reason: str, acting_user) -> Award:
    """End an award before it is all paid, releasing the unpaid part back to its pot."""
    errors: dict[str, str] = {}
    reason = _reason(errors, reason, what="why the award ends early")
    if errors:
        raise MoneyInvalid(errors)
    award, pot = _locked_award(award)
    _refuse_unless(
        can_manage_pot(acting_user, pot), "Only the cluster's admin or the council's SEND team ends awards."
    )
    _refuse_unless(award.status == Award.Status.ACTIVE, "The award has already ended.")
    outstanding = award_amounts(award)["outstanding"]
    if outstanding:
        _entry(
            pot=pot,
            entry_type=EntryType.RELEASE,
            amount=-outstanding,
            reason=reason,
            acting_user=acting_user,
            award=award,
        )
    award.status = Award.Status.ENDED
    award.ended_reason = reason
    award.save(update_fields=["status", "ended_reason"])
    award.schedule.all().delete()
    paid = award_amounts(award)["paid"]
    if paid:
        ScheduledPayment.objects.create(award=award, due_on=timezone.localdate(), amount_pence=paid)
    if pot.closed_at is not None:
        _settle_closed_pot(pot, acting_user, reason=f"Released from {award.reference} after the year end")
    record_event(
        acting_user=acting_user,
        action="award.ended_early",
        obj=award,
        council=pot.council,
        after={"released_pence": outstanding, "reason": reason},
    )
    return award


# The year end


def _settle_closed_pot(pot: Pot, acting_user, *, reason: str) -> None:
    """Send what a closed pot has available on, as the scheme says: to the cluster's pot of the next year,
    or back to the council."""
    available = balances_of(pot)["available"]
    if available <= 0 or pot.kind == Pot.Kind.HIGH_NEEDS:
        return
    council = pot.council
    if council.year_end_rule == "return":
        high_needs = _locked(
            pot_for(council=council, academic_year=pot.academic_year, kind=Pot.Kind.HIGH_NEEDS)
        )
        _move_between(
            from_pot=high_needs,
            to_pot=pot,
            amount=-available,
            entry_type=EntryType.RETURN,
            reason=reason,
            acting_user=acting_user,
        )
        return
    next_year = AcademicYear.objects.filter(
        council=council, start_year=pot.academic_year.start_year + 1
    ).first()
    if next_year is None:
        raise MoneyError(
            f"Open the {pot.academic_year.start_year + 1} academic year before closing this one."
        )
    onward = _locked(pot_for(council=council, academic_year=next_year, cluster=pot.cluster, kind=pot.kind))
    _move_between(
        from_pot=onward,
        to_pot=pot,
        amount=-available,
        entry_type=EntryType.CARRY_FORWARD,
        reason=reason,
        acting_user=acting_user,
    )


@transaction.atomic
def close_year(*, council, academic_year: AcademicYear, acting_user) -> list[Pot]:
    """Close a year's money: every cluster's and contingency pot's uncommitted balance is carried forward
    to the next year or returned to the council, as the scheme says. Open commitments stay in their pot
    and go on being paid; a later release follows the same rule."""
    _refuse_unless(can_manage_money(acting_user, council), "Only the council's SEND team closes the year.")
    _refuse_unless(academic_year.council_id == council.pk, "That year is not the council's.")
    pots = list(Pot.objects.filter(academic_year=academic_year).order_by("pk"))
    _refuse_unless(bool(pots), "The year has no money to close.")
    _refuse_unless(all(pot.closed_at is None for pot in pots), "The year has already been closed.")
    moved = {}
    for pot in pots:
        _locked(pot)
        moved[str(pot)] = balances_of(pot)["available"] if pot.kind != Pot.Kind.HIGH_NEEDS else 0
        _settle_closed_pot(pot, acting_user, reason=f"Year end {academic_year.name}")
    now = timezone.now()
    for pot in pots:
        pot.closed_at = now
        pot.save(update_fields=["closed_at"])
    record_event(
        acting_user=acting_user,
        action="money.year_closed",
        obj=academic_year,
        council=council,
        after={"rule": council.year_end_rule, "moved_pence": moved},
    )
    return pots
