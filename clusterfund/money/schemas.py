"""What the JSON API gives for the money: pots with their balances, ledger entries and awards, in whole
pence. The money is read-only through the API; it changes on the pages and through the meetings."""

import datetime

from ninja import Schema


class BalancesOut(Schema):
    allocated_pence: int
    committed_pence: int
    paid_pence: int
    outstanding_pence: int
    available_pence: int


class PotOut(Schema):
    id: int
    kind: str
    cluster_id: int | None
    cluster_name: str | None
    academic_year: str
    closed: bool
    balances: BalancesOut


class PotPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[PotOut]


class LedgerEntryOut(Schema):
    id: int
    entry_type: str
    amount_pence: int
    occurred_on: datetime.date
    financial_year: str
    academic_year: str
    award_id: int | None
    movement: str
    counterpart_pot_id: int | None
    reason: str
    recorded_by: str


class LedgerPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[LedgerEntryOut]


class ScheduledPaymentOut(Schema):
    due_on: datetime.date
    amount_pence: int


class AwardOut(Schema):
    id: int
    reference: str
    funding_request_id: int
    pot_id: int
    payee_school_id: int
    payee_school_name: str
    decided_on: datetime.date
    status: str
    committed_pence: int
    paid_pence: int
    outstanding_pence: int


class AwardDetailOut(AwardOut):
    schedule: list[ScheduledPaymentOut]
    entries: list[LedgerEntryOut]


class AwardPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[AwardOut]


class PageFilter(Schema):
    page: int = 1


class PotFilters(PageFilter):
    academic_year: int | None = None
