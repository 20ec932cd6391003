"""The money services: formulas fill the pots exactly, awards never overspend, the ledger only grows."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterfund.audit.models import AuditEvent
from clusterfund.money import services
from clusterfund.money.models import (
    Award,
    EntryType,
    FundingFormula,
    LedgerEntry,
    LedgerIsAppendOnly,
    Pot,
    financial_year_of,
)
from clusterfund.money.tests.builders import WEIGHTS, commit_formula, decided_request
from clusterfund.organisations import services as organisations

TODAY = datetime.date.today()


def pot(scheme, cluster="North", kind=Pot.Kind.CLUSTER, year=None):
    cluster = None if cluster is None else scheme.clusters[cluster]
    return Pot.objects.get(academic_year=year or scheme.year, cluster=cluster, kind=kind)


def balances(p):
    return services.balances_of(p)


# --- the formula -------------------------------------------------------------------------------------


def test_committing_a_formula_shares_the_pot_by_need_to_the_penny(scheme):
    formula = commit_formula(scheme.council, scheme.admin, high_needs_pence=100_000_000)

    # SEN support weighted 1 and EHC plans 4: North 160 + 4×35 = 300, South 80 + 4×10 = 120, East 10.
    shares = {share.cluster.name: share for share in formula.shares.all()}
    assert {name: share.amount_pence for name, share in shares.items()} == {
        "North": 69_767_442,
        "South": 27_906_977,
        "East": 2_325_581,
    }
    assert shares["North"].factor_totals == {
        "pupils_on_roll": "1200",
        "sen_support": "160",
        "ehc_plans": "35",
        "free_school_meals": "260",
    }
    assert (shares["North"].score, shares["North"].schools) == ("300", 2)
    assert formula.status == FundingFormula.Status.COMMITTED
    assert balances(pot(scheme, None, Pot.Kind.HIGH_NEEDS))["available"] == 0
    assert (
        sum(
            balances(p)["allocated"]
            for p in Pot.objects.filter(council=scheme.council).exclude(kind=Pot.Kind.HIGH_NEEDS)
        )
        == 100_000_000
    )
    event = AuditEvent.objects.get(action="formula.committed", object_id=str(formula.pk))
    assert event.after["shares"]["North"] == 69_767_442


def test_the_city_top_slice_and_each_clusters_contingency_are_held_apart(scheme):
    north = scheme.clusters["North"]
    north.contingency_percent = Decimal("10")
    north.save()
    commit_formula(scheme.council, scheme.admin, high_needs_pence=100_000_000, top_slice_percent="5")

    city = pot(scheme, "City pool", Pot.Kind.CONTINGENCY)
    assert balances(city)["allocated"] == 5_000_000
    assert LedgerEntry.objects.get(pot=city).entry_type == EntryType.TOP_SLICE
    north_share = 95_000_000 * 300 // 430 + 1  # 66,279,069.77 rounds up by largest remainder
    assert (
        balances(pot(scheme))["allocated"] + balances(pot(scheme, kind=Pot.Kind.CONTINGENCY))["allocated"]
        == north_share
    )
    assert balances(pot(scheme, kind=Pot.Kind.CONTINGENCY))["allocated"] == round(north_share / 10)
    assert not Pot.objects.filter(cluster=scheme.clusters["South"], kind=Pot.Kind.CONTINGENCY).exists()


def test_a_top_slice_can_be_an_amount(scheme):
    commit_formula(scheme.council, scheme.admin, high_needs_pence=10_000_000, top_slice_pence=1_234_567)
    assert balances(pot(scheme, "City pool", Pot.Kind.CONTINGENCY))["allocated"] == 1_234_567


def test_floor_and_cap_hold_and_the_pot_still_adds_up(scheme):
    formula = commit_formula(
        scheme.council, scheme.admin, high_needs_pence=10_000_000, floor_pence=1_000_000, cap_pence=6_000_000
    )
    shares = {share.cluster.name: share for share in formula.shares.all()}
    assert shares["East"].amount_pence == 1_000_000 and shares["East"].floor_applied
    assert shares["North"].amount_pence == 6_000_000 and shares["North"].cap_applied
    assert shares["South"].amount_pence == 3_000_000
    assert not (shares["South"].floor_applied or shares["South"].cap_applied)


def test_a_draft_is_checked_whole_and_nothing_is_saved_when_anything_is_wrong(scheme):
    draft = services.start_formula_draft(
        council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin
    )
    with pytest.raises(services.MoneyInvalid) as refused:
        services.change_formula_draft(
            formula=draft,
            high_needs_pence=-5,
            top_slice_percent=Decimal("120"),
            top_slice_pence=None,
            census_month=datetime.date(2019, 1, 1),
            floor_pence=None,
            cap_pence=None,
            weights={"sen_support": Decimal("-1"), "ehc_plans": Decimal("0.00001"), "shoe_size": Decimal(1)},
            acting_user=scheme.admin,
        )
    assert refused.value.errors == {
        "high_needs_pence": "The High Needs amount for clusters must be more than £0",
        "top_slice_percent": "The top-slice must be between 0 and 100 per cent",
        "census_month": "The council has no census counts for that month",
        "weight_sen_support": "The weight for pupils on SEN support (K) cannot be negative",
        "weight_ehc_plans": (
            "The weight for pupils with an EHC plan (E) must be a number with at most 4 decimal places"
        ),
        "weight_shoe_size": "There is no factor called shoe_size",
    }
    draft.refresh_from_db()
    assert draft.high_needs_pence == 0
    assert {w.factor: w.weight for w in draft.weights.all()}["sen_support"] == 1


def test_both_a_percentage_and_an_amount_of_top_slice_is_refused(scheme):
    draft = services.start_formula_draft(
        council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin
    )
    with pytest.raises(services.MoneyInvalid) as refused:
        services.change_formula_draft(
            formula=draft,
            high_needs_pence=1000,
            top_slice_percent=Decimal(5),
            top_slice_pence=10,
            census_month=datetime.date(2023, 1, 1),
            floor_pence=None,
            cap_pence=None,
            weights={"sen_support": Decimal(1)},
            acting_user=scheme.admin,
        )
    assert refused.value.errors == {
        "top_slice_pence": "Give the top-slice as a percentage or an amount, not both"
    }


def test_a_committed_formula_is_never_edited_only_superseded_with_a_reason(scheme):
    first = commit_formula(scheme.council, scheme.admin, high_needs_pence=100_000_000)
    with pytest.raises(services.MoneyError, match="cannot be changed"):
        services.change_formula_draft(
            formula=first,
            high_needs_pence=1,
            top_slice_percent=None,
            top_slice_pence=None,
            census_month=datetime.date(2023, 1, 1),
            floor_pence=None,
            cap_pence=None,
            weights={},
            acting_user=scheme.admin,
        )
    with pytest.raises(services.MoneyInvalid, match="why this version supersedes"):
        commit_formula(scheme.council, scheme.admin, high_needs_pence=120_000_000)
    FundingFormula.objects.filter(
        council=scheme.council, status="draft"
    ).get()  # the refused draft is kept to correct

    draft = FundingFormula.objects.get(council=scheme.council, status="draft")
    assert draft.high_needs_pence == 120_000_000
    services.commit_formula(
        formula=draft, reason="Extra £200,000 from the schools forum", acting_user=scheme.admin
    )
    first.refresh_from_db()
    assert first.status == FundingFormula.Status.SUPERSEDED
    assert (
        sum(
            balances(p)["allocated"]
            for p in Pot.objects.filter(council=scheme.council).exclude(kind=Pot.Kind.HIGH_NEEDS)
        )
        == 120_000_000
    )
    north_entries = LedgerEntry.objects.filter(pot=pot(scheme)).order_by("id")
    # 120,000,000 × 300 / 430 = 83,720,930.23: the second version moves only the difference.
    assert [e.amount_pence for e in north_entries] == [69_767_442, 83_720_930 - 69_767_442]
    assert "Extra £200,000" in north_entries.last().reason
    third = commit_formula(scheme.council, scheme.admin, high_needs_pence=90_000_000, reason="Cut")
    assert third.version == 3
    assert (
        sum(
            balances(p)["allocated"]
            for p in Pot.objects.filter(council=scheme.council).exclude(kind=Pot.Kind.HIGH_NEEDS)
        )
        == 90_000_000
    )
    assert balances(pot(scheme, None, Pot.Kind.HIGH_NEEDS))["available"] == 0


def test_superseding_cannot_take_a_pot_below_what_it_has_committed(scheme):
    commit_formula(scheme.council, scheme.admin, high_needs_pence=10_000_000)
    east = scheme.clusters["East"]
    request = decided_request(east, scheme.schools["Eastwood Juniors"], scheme.admin)
    services.make_award(
        funding_request=request, amount_pence=200_000, decided_on=TODAY, acting_user=scheme.admin
    )
    with pytest.raises(services.NotEnoughMoney, match="East: Cluster pot"):
        commit_formula(scheme.council, scheme.admin, high_needs_pence=1_000_000, reason="Cut")
    assert (
        FundingFormula.objects.filter(council=scheme.council, status="committed").get().high_needs_pence
        == 10_000_000
    )


def test_only_the_councils_send_team_sets_and_commits_the_formula(scheme):
    for person in (scheme.north_admin, scheme.north_senco, scheme.auditor):
        with pytest.raises(services.MoneyError, match="SEND team"):
            services.start_formula_draft(
                council=scheme.council, academic_year=scheme.year, acting_user=person
            )
    draft = services.start_formula_draft(
        council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin
    )
    with pytest.raises(services.MoneyError, match="SEND team"):
        services.commit_formula(formula=draft, reason="", acting_user=scheme.north_admin)


def test_a_formula_reads_only_the_schools_in_each_cluster_that_year(scheme):
    organisations.place_school_in_cluster(
        school=scheme.schools["Hill Top Academy"],
        cluster=scheme.clusters["East"],
        academic_year=scheme.year,
        acting_user=None,
    )
    draft = services.start_formula_draft(
        council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin
    )
    draft.high_needs_pence = 430
    draft.census_month = datetime.date(2023, 1, 1)
    draft.save()
    shares = {share.cluster.name: share.amount_pence for share in services.work_out_shares(draft)}
    # A new draft weighs SEN support and EHC plans 1 each. Hill Top (120 + 30) now counts for East:
    # North 45, South 90, East 160 of 295 points, so 65.59, 131.19 and 233.22 pence.
    assert shares == {"North": 66, "South": 131, "East": 233}


# --- awards ------------------------------------------------------------------------------------------


@pytest.fixture
def funded(scheme):
    """Testshire with £100,000 shared (North £69,767.44), and one North request decided."""
    commit_formula(scheme.council, scheme.admin, high_needs_pence=10_000_000)
    scheme.request = decided_request(
        scheme.clusters["North"], scheme.schools["Northfield Primary"], scheme.admin
    )
    return scheme


def test_an_award_commits_money_and_is_paid_to_the_lead_school(funded):
    award = services.make_award(
        funding_request=funded.request, amount_pence=250_000, decided_on=TODAY, acting_user=funded.north_admin
    )
    assert award.payee_school == funded.schools["Northfield Primary"]
    assert balances(pot(funded))["committed"] == 250_000
    assert balances(pot(funded))["available"] == 6_976_744 - 250_000
    assert [row.amount_pence for row in award.schedule.all()] == [250_000]  # no costed terms: one payment

    services.record_payment(
        award=award, amount_pence=100_000, paid_on=TODAY, note="", acting_user=funded.admin
    )
    assert services.award_amounts(award) == {"committed": 250_000, "paid": 100_000, "outstanding": 150_000}
    assert balances(pot(funded))["paid"] == 100_000


def test_an_award_beyond_the_pots_available_balance_is_refused(funded):
    with pytest.raises(services.NotEnoughMoney, match="£69,767.44 available, so it cannot commit £69,767.45"):
        services.make_award(
            funding_request=funded.request, amount_pence=6_976_745, decided_on=TODAY, acting_user=funded.admin
        )
    assert not Award.objects.filter(pot__council=funded.council).exists()
    services.make_award(
        funding_request=funded.request, amount_pence=6_976_744, decided_on=TODAY, acting_user=funded.admin
    )
    assert balances(pot(funded))["available"] == 0


def test_the_schedule_follows_the_costed_terms(funded, scheme):
    from clusterfund.funding_requests.models import ProvisionLine

    terms = list(scheme.year.terms.order_by("number"))
    for term, pence in ((terms[1], 30_000), (terms[2], 10_000)):
        ProvisionLine.objects.create(
            funding_request=funded.request,
            position=1,
            what="TA",
            provider="School",
            units=1,
            unit_cost_pence=pence,
            total_pence=pence,
            term=term,
        )
    award = services.make_award(
        funding_request=funded.request, amount_pence=20_001, decided_on=TODAY, acting_user=funded.admin
    )
    assert [(row.term, row.amount_pence) for row in award.schedule.all()] == [
        (terms[1], 15_001),
        (terms[2], 5_000),
    ]


def test_an_award_varies_up_within_the_balance_and_down_never_below_what_is_paid(funded):
    award = services.make_award(
        funding_request=funded.request, amount_pence=100_000, decided_on=TODAY, acting_user=funded.admin
    )
    services.record_payment(
        award=award, amount_pence=60_000, paid_on=TODAY, note="Autumn", acting_user=funded.admin
    )
    with pytest.raises(services.MoneyInvalid, match="£600.00 has been paid"):
        services.vary_award(award=award, amount_pence=59_999, reason="Less needed", acting_user=funded.admin)
    with pytest.raises(services.NotEnoughMoney):
        services.vary_award(award=award, amount_pence=6_976_745, reason="More", acting_user=funded.admin)
    with pytest.raises(services.MoneyInvalid) as refused:
        services.vary_award(award=award, amount_pence=120_000, reason=" ", acting_user=funded.admin)
    assert refused.value.errors == {"reason": "Enter why the award changes"}

    services.vary_award(
        award=award, amount_pence=150_000, reason="Second term agreed", acting_user=funded.admin
    )
    assert services.award_amounts(award)["committed"] == 150_000
    assert sum(row.amount_pence for row in award.schedule.all()) == 150_000
    services.vary_award(award=award, amount_pence=70_000, reason="Ended sooner", acting_user=funded.admin)
    assert services.award_amounts(award) == {"committed": 70_000, "paid": 60_000, "outstanding": 10_000}
    assert sum(row.amount_pence for row in award.schedule.all()) == 70_000
    assert [e.entry_type for e in LedgerEntry.objects.filter(award=award).order_by("id")] == [
        "commitment",
        "payment",
        "variation",
        "variation",
    ]


def test_a_payment_beyond_what_is_outstanding_or_in_the_future_is_refused(funded):
    award = services.make_award(
        funding_request=funded.request, amount_pence=100_000, decided_on=TODAY, acting_user=funded.admin
    )
    with pytest.raises(services.MoneyInvalid) as refused:
        services.record_payment(
            award=award,
            amount_pence=100_001,
            paid_on=TODAY + datetime.timedelta(days=1),
            note="",
            acting_user=funded.admin,
        )
    assert refused.value.errors == {"paid_on": "The date it was paid must be today or in the past"}
    with pytest.raises(services.MoneyInvalid, match="Only £1,000.00 of the award is still to pay"):
        services.record_payment(
            award=award, amount_pence=100_001, paid_on=TODAY, note="", acting_user=funded.admin
        )
    with pytest.raises(services.MoneyInvalid, match="on or after the award was made"):
        services.record_payment(
            award=award,
            amount_pence=1,
            paid_on=TODAY - datetime.timedelta(days=1),
            note="",
            acting_user=funded.admin,
        )


def test_ending_an_award_early_releases_the_unpaid_part(funded):
    award = services.make_award(
        funding_request=funded.request, amount_pence=100_000, decided_on=TODAY, acting_user=funded.admin
    )
    services.record_payment(
        award=award, amount_pence=40_000, paid_on=TODAY, note="", acting_user=funded.admin
    )
    before = balances(pot(funded))["available"]
    services.end_award_early(award=award, reason="Pupil moved away", acting_user=funded.north_admin)
    award.refresh_from_db()
    assert award.status == Award.Status.ENDED
    assert balances(pot(funded))["available"] == before + 60_000
    assert services.award_amounts(award) == {"committed": 40_000, "paid": 40_000, "outstanding": 0}
    with pytest.raises(services.MoneyError, match="already ended"):
        services.end_award_early(award=award, reason="Again", acting_user=funded.admin)


def test_only_the_pots_cluster_admin_or_the_council_moves_an_award(funded, scheme):
    for person in (scheme.north_senco, scheme.auditor):
        with pytest.raises(services.MoneyError, match="cluster's admin or the council's SEND team"):
            services.make_award(
                funding_request=funded.request, amount_pence=1, decided_on=TODAY, acting_user=person
            )
    south = decided_request(scheme.clusters["South"], scheme.schools["Southgate Infants"], scheme.admin)
    with pytest.raises(services.MoneyError, match="cluster's admin"):
        services.make_award(
            funding_request=south, amount_pence=1, decided_on=TODAY, acting_user=scheme.north_admin
        )


def test_contingency_requests_are_paid_from_contingency(funded, scheme):
    city = decided_request(
        scheme.clusters["North"], scheme.schools["Hill Top Academy"], scheme.admin, request_type="contingency"
    )
    city.to_city_meeting = True
    assert services.pot_for_request(city).cluster == scheme.clusters["City pool"]
    city.to_city_meeting = False
    assert services.pot_for_request(city) == Pot.objects.get(
        cluster=scheme.clusters["North"], kind="contingency"
    )


def test_transfers_move_only_what_is_available(funded, scheme):
    north, east = pot(funded), pot(funded, "East")
    services.transfer(
        from_pot=north, to_pot=east, amount_pence=100, reason="Top up East", acting_user=scheme.admin
    )
    assert (balances(north)["allocated"], balances(east)["allocated"]) == (6_976_644, 232_658)
    with pytest.raises(services.NotEnoughMoney):
        services.transfer(
            from_pot=east, to_pot=north, amount_pence=232_659, reason="Too much", acting_user=scheme.admin
        )
    a, b = LedgerEntry.objects.filter(entry_type="transfer", pot__council=scheme.council).order_by("id")
    assert a.movement == b.movement and a.amount_pence == -b.amount_pence


# --- the ledger is append-only -----------------------------------------------------------------------


def test_ledger_entries_cannot_be_changed_or_deleted(funded):
    entry = LedgerEntry.objects.first()
    entry.amount_pence = 1
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_pence=1)
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql", ["UPDATE money_ledgerentry SET amount_pence = 1", "DELETE FROM money_ledgerentry"]
)
def test_postgresql_refuses_to_change_ledger_entries_even_in_raw_sql(funded, sql):
    before = list(LedgerEntry.objects.values_list("pk", "amount_pence"))
    with (
        pytest.raises(DatabaseError, match="money_ledgerentry is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert list(LedgerEntry.objects.values_list("pk", "amount_pence")) == before


def test_every_entry_knows_its_financial_and_academic_year(funded, scheme):
    for entry in LedgerEntry.objects.filter(pot__council=scheme.council):
        assert entry.academic_year == scheme.year
        assert entry.financial_year == financial_year_of(entry.occurred_on)
    assert financial_year_of(datetime.date(2026, 3, 31)) == 2025
    assert financial_year_of(datetime.date(2026, 4, 1)) == 2026


# --- the year end ------------------------------------------------------------------------------------


def test_the_year_end_carries_uncommitted_money_forward_and_open_commitments_continue(funded, scheme):
    award = services.make_award(
        funding_request=funded.request, amount_pence=100_000, decided_on=TODAY, acting_user=funded.admin
    )
    with pytest.raises(services.MoneyError, match="Open the"):
        services.close_year(council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin)
    assert not Pot.objects.filter(council=scheme.council, closed_at__isnull=False).exists()

    next_year = organisations.open_academic_year(
        council=scheme.council, start_year=scheme.year.start_year + 1, acting_user=None
    )
    services.close_year(council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin)
    assert balances(pot(funded))["available"] == 0
    assert balances(pot(funded))["outstanding"] == 100_000
    assert balances(pot(funded, year=next_year))["allocated"] == 6_976_744 - 100_000
    assert (
        LedgerEntry.objects.filter(entry_type="carry_forward", pot__council=scheme.council).count() == 6
    )  # three pots, two entries each

    # The award is still paid from last year's pot; ending it early sends the rest on as well.
    services.record_payment(
        award=award, amount_pence=30_000, paid_on=TODAY, note="", acting_user=funded.admin
    )
    services.end_award_early(award=award, reason="Finished early", acting_user=funded.admin)
    assert balances(pot(funded))["available"] == 0
    assert balances(pot(funded, year=next_year))["allocated"] == 6_976_744 - 30_000
    with pytest.raises(services.MoneyError, match="already been closed"):
        services.close_year(council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin)
    request = decided_request(scheme.clusters["North"], scheme.schools["Hill Top Academy"], scheme.admin)
    with pytest.raises(services.MoneyError, match="closed"):
        services.make_award(
            funding_request=request, amount_pence=1, decided_on=TODAY, acting_user=scheme.admin
        )


def test_the_year_end_can_return_money_to_the_council(funded, scheme):
    scheme.council.year_end_rule = "return"
    scheme.council.save()
    services.close_year(council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin)
    assert balances(pot(funded, None, Pot.Kind.HIGH_NEEDS))["available"] == 10_000_000
    assert all(
        balances(p)["available"] == 0
        for p in Pot.objects.filter(council=scheme.council).exclude(kind=Pot.Kind.HIGH_NEEDS)
    )


# --- properties --------------------------------------------------------------------------------------

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["award", "vary", "pay", "end", "transfer"]),
        st.integers(min_value=1, max_value=4_000_000),
        st.integers(min_value=0, max_value=5),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_no_sequence_of_awards_payments_and_variations_overspends_or_loses_a_penny(
    funded, scheme, operations
):
    with transaction.atomic():
        pots = list(
            Pot.objects.filter(council=scheme.council).exclude(kind=Pot.Kind.HIGH_NEEDS).order_by("pk")
        )
        awards = []
        for number, (operation, amount, pick) in enumerate(operations):
            try:
                if operation == "award":
                    request = decided_request(
                        scheme.clusters["South"],
                        scheme.schools["River View Primary"],
                        scheme.admin,
                        title=f"P{number}",
                    )
                    awards.append(
                        services.make_award(
                            funding_request=request,
                            amount_pence=amount,
                            decided_on=TODAY,
                            acting_user=scheme.admin,
                        )
                    )
                elif operation == "transfer":
                    services.transfer(
                        from_pot=pots[pick % len(pots)],
                        to_pot=pots[(pick + 1) % len(pots)],
                        amount_pence=amount,
                        reason="Move",
                        acting_user=scheme.admin,
                    )
                elif awards:
                    award = awards[pick % len(awards)]
                    if operation == "vary":
                        services.vary_award(
                            award=award, amount_pence=amount, reason="Change", acting_user=scheme.admin
                        )
                    elif operation == "pay":
                        services.record_payment(
                            award=award, amount_pence=amount, paid_on=TODAY, note="", acting_user=scheme.admin
                        )
                    else:
                        services.end_award_early(award=award, reason="End", acting_user=scheme.admin)
            except services.MoneyError:
                pass
            for p in pots:
                totals = balances(p)
                assert totals["available"] >= 0 and totals["outstanding"] >= 0 and totals["paid"] >= 0
            for award in awards:
                amounts = services.award_amounts(award)
                assert 0 <= amounts["paid"] <= amounts["committed"]
                if award.status == Award.Status.ACTIVE:
                    assert sum(row.amount_pence for row in award.schedule.all()) == amounts["committed"]
            assert sum(balances(p)["allocated"] for p in pots) == 10_000_000
        transaction.set_rollback(True)


def test_weights_and_shares_are_kept_as_exact_text(scheme):
    formula = commit_formula(
        scheme.council,
        scheme.admin,
        high_needs_pence=1_000,
        weights={**WEIGHTS, "free_school_meals": "0.3333"},
    )
    north = formula.shares.get(cluster=scheme.clusters["North"])
    assert north.score == str(Decimal(300) + Decimal("0.3333") * 260)


def test_a_floor_or_cap_that_cannot_be_met_is_explained_in_pounds(scheme):
    draft = services.start_formula_draft(
        council=scheme.council, academic_year=scheme.year, acting_user=scheme.admin
    )
    draft.high_needs_pence, draft.floor_pence = 100_000, 50_000
    with pytest.raises(services.MoneyError) as refused:
        services.work_out_shares(draft)
    assert str(refused.value) == (
        "A floor of £500.00 for each of the 3 clusters needs £1,500.00, more than the £1,000.00 to share."
    )
    draft.floor_pence, draft.cap_pence = None, 30_000
    with pytest.raises(services.MoneyError, match="shares at most £900.00, less than the £1,000.00 to share"):
        services.work_out_shares(draft)
