"""Two admins, or two meetings, committing from one pot at the same instant never overspend it.

These tests run real transactions from several threads, each with its own database connection, against
the test database (on PostgreSQL, the real server). Each award locks its pot's row, reads the balance
after the lock, and commits or refuses: however the attempts interleave, the pot ends at or above nothing.
"""

import datetime
import threading

import pytest
from django.db import OperationalError, connections

from clusterfund.money import services
from clusterfund.money.models import Award, Pot
from clusterfund.money.tests.builders import commit_formula, decided_request
from clusterfund.money.tests.conftest import build_scheme

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
ATTEMPTS_EACH = 8


def _race(work, items):
    """Run `work(item)` for every item from THREADS threads started together; collect what each returned."""
    start = threading.Barrier(THREADS)
    outcomes, lock = [], threading.Lock()
    chunks = [items[n::THREADS] for n in range(THREADS)]

    def run(chunk):
        try:
            start.wait()
            for item in chunk:
                try:
                    result = work(item)
                except services.NotEnoughMoney:
                    result = "refused"
                except OperationalError as error:  # never expected: a lock we did not queue behind
                    result = f"error: {error}"
                with lock:
                    outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_simultaneous_awards_never_commit_more_than_the_pot_holds():
    scheme = build_scheme(la_code=991, slug="raceshire")
    commit_formula(scheme.council, scheme.admin, high_needs_pence=430_000)  # North gets £3,000.00
    north = Pot.objects.get(cluster=scheme.clusters["North"], kind=Pot.Kind.CLUSTER)
    assert services.balances_of(north)["available"] == 300_000
    requests = [
        decided_request(
            scheme.clusters["North"], scheme.schools["Northfield Primary"], scheme.admin, title=f"R{n}"
        )
        for n in range(THREADS * ATTEMPTS_EACH)
    ]

    def award(request):
        services.make_award(
            funding_request=request,
            amount_pence=13_000,
            decided_on=datetime.date.today(),
            acting_user=scheme.admin,
        )
        return "awarded"

    outcomes = _race(award, requests)

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes.count("awarded") == 300_000 // 13_000 == 23
    assert outcomes.count("refused") == len(requests) - 23
    totals = services.balances_of(north)
    assert totals["committed"] == 23 * 13_000 <= 300_000
    assert totals["available"] == 300_000 - 23 * 13_000 >= 0
    assert Award.objects.filter(pot=north).count() == 23


def test_simultaneous_variations_and_payments_never_take_a_pot_below_nothing():
    scheme = build_scheme(la_code=992, slug="varyshire")
    commit_formula(scheme.council, scheme.admin, high_needs_pence=430_000)
    north = Pot.objects.get(cluster=scheme.clusters["North"], kind=Pot.Kind.CLUSTER)
    awards = [
        services.make_award(
            funding_request=decided_request(
                scheme.clusters["North"], scheme.schools["Hill Top Academy"], scheme.admin, title=f"V{n}"
            ),
            amount_pence=10_000,
            decided_on=datetime.date.today(),
            acting_user=scheme.admin,
        )
        for n in range(THREADS * 2)
    ]  # £1,200 committed of £3,000

    def vary(award):
        services.vary_award(
            award=award, amount_pence=30_000, reason="More sessions", acting_user=scheme.admin
        )
        services.record_payment(
            award=award, amount_pence=5_000, paid_on=datetime.date.today(), note="", acting_user=scheme.admin
        )
        return "varied"

    outcomes = _race(vary, awards)

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    # Each variation takes £200 more: £1,800 was left, so nine of the twelve go through.
    assert outcomes.count("varied") == 9
    totals = services.balances_of(north)
    assert totals["committed"] == 9 * 30_000 + 3 * 10_000 == 300_000
    assert totals["available"] == 0
    assert totals["paid"] == 9 * 5_000
