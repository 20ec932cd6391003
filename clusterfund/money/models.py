"""The money: each year's funding formula, the pots it fills, the append-only ledger and the awards paid
from it. Every amount is whole pence; every balance is an aggregate of ledger entries."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum

from clusterfund.money.formula import CENSUS_FACTORS


class LedgerIsAppendOnly(Exception):
    """Raised when code tries to change or remove a ledger entry: corrections are new entries."""


def financial_year_of(day: datetime.date) -> int:
    """The start year of the April–March financial year the day falls in: 1 April 2026 → 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_name(start_year: int) -> str:
    """'2026-27'."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


class CustomFactor(models.Model):
    """A numeric factor a council adds per school (a deprivation score, say) beside the census counts."""

    council = models.ForeignKey("organisations.Council", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40, help_text="Short name used in formulas and files")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["council", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "code"], name="one_factor_code_per_council")
        ]

    def __str__(self) -> str:
        return self.name


class CustomFactorValue(models.Model):
    """A school's value of a council's own factor for one academic year."""

    factor = models.ForeignKey(CustomFactor, on_delete=models.CASCADE, related_name="values")
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    value = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["factor", "school", "academic_year"], name="one_factor_value_per_school_year"
            ),
            models.CheckConstraint(name="factor_value_not_negative", condition=Q(value__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.factor} {self.school}: {self.value}"


class FundingFormula(models.Model):
    """One version of a council's formula for a year: the High Needs amount for clusters, the city
    top-slice, the weights, and the floor and cap per cluster. A draft can be edited and compared with the
    committed version; committing allocates the pot; a committed version is only ever superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMMITTED = "committed", "Committed"
        SUPERSEDED = "superseded", "Superseded"

    council = models.ForeignKey("organisations.Council", on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    high_needs_pence = models.PositiveBigIntegerField("High Needs amount for clusters, in pence")
    top_slice_percent = models.DecimalField(
        "city contingency top-slice, per cent", max_digits=5, decimal_places=2, null=True, blank=True
    )
    top_slice_pence = models.PositiveBigIntegerField(
        "city contingency top-slice, in pence", null=True, blank=True
    )
    census_month = models.DateField(help_text="The census whose counts the formula reads")
    floor_pence = models.PositiveBigIntegerField("least a cluster gets, in pence", null=True, blank=True)
    cap_pence = models.PositiveBigIntegerField("most a cluster gets, in pence", null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why this version supersedes the one before")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["council", "academic_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "academic_year", "version"], name="one_formula_version_per_year"
            ),
            models.UniqueConstraint(
                fields=["council", "academic_year"],
                condition=Q(status="committed"),
                name="one_committed_formula_per_year",
            ),
            models.UniqueConstraint(
                fields=["council", "academic_year"],
                condition=Q(status="draft"),
                name="one_draft_formula_per_year",
            ),
            models.CheckConstraint(
                name="top_slice_percent_or_amount",
                condition=Q(top_slice_percent__isnull=True) | Q(top_slice_pence__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Formula {self.academic_year} version {self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class FormulaWeight(models.Model):
    """The weight a formula gives one factor: a census count or a council's own factor."""

    formula = models.ForeignKey(FundingFormula, on_delete=models.CASCADE, related_name="weights")
    factor = models.CharField(
        max_length=40, help_text=f"One of {', '.join(CENSUS_FACTORS)}, or a factor's code"
    )
    weight = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["formula", "id"]
        constraints = [
            models.UniqueConstraint(fields=["formula", "factor"], name="one_weight_per_factor"),
            models.CheckConstraint(name="weight_not_negative", condition=Q(weight__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.factor} × {self.weight}"


class Pot(models.Model):
    """Money held for a year: the council's High Needs amount before it is shared, a cluster's pot, or a
    contingency (a cluster's held-back part, or the city pool's)."""

    class Kind(models.TextChoices):
        HIGH_NEEDS = "high_needs", "High Needs for clusters"
        CLUSTER = "cluster", "Cluster pot"
        CONTINGENCY = "contingency", "Contingency"

    council = models.ForeignKey("organisations.Council", on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    cluster = models.ForeignKey(
        "organisations.Cluster", on_delete=models.PROTECT, null=True, blank=True, related_name="pots"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Set by the year end")

    class Meta:
        ordering = ["council", "academic_year", "cluster__is_city_pool", "cluster__number", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "cluster", "kind"], name="one_pot_per_cluster_year_kind"
            ),
            models.UniqueConstraint(
                fields=["academic_year"],
                condition=Q(cluster__isnull=True),
                name="one_high_needs_pot_per_year",
            ),
            models.CheckConstraint(
                name="high_needs_pot_has_no_cluster",
                condition=Q(kind="high_needs", cluster__isnull=True)
                | Q(~Q(kind="high_needs"), cluster__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        owner = self.cluster.name if self.cluster_id else "Council"
        return f"{owner}: {self.get_kind_display()} {self.academic_year}"

    @property
    def is_contingency(self) -> bool:
        return self.kind == self.Kind.CONTINGENCY


class EntryType(models.TextChoices):
    ALLOCATION = "allocation", "Allocation"
    TOP_SLICE = "top_slice", "Top-slice"
    TRANSFER = "transfer", "Transfer"
    COMMITMENT = "commitment", "Commitment on an award"
    VARIATION = "variation", "Variation of an award"
    PAYMENT = "payment", "Payment"
    RELEASE = "release", "Release of an unspent commitment"
    RETURN = "return", "Return"
    CARRY_FORWARD = "carry_forward", "Carry-forward"


# Which balance each entry moves. Funds in or out of a pot; commitments made, varied and released; payments.
FUNDS_TYPES = (
    EntryType.ALLOCATION,
    EntryType.TOP_SLICE,
    EntryType.TRANSFER,
    EntryType.RETURN,
    EntryType.CARRY_FORWARD,
)
COMMITMENT_TYPES = (EntryType.COMMITMENT, EntryType.VARIATION, EntryType.RELEASE)


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly("Ledger entries cannot be changed; record a correcting entry.")

    def delete(self):
        raise LedgerIsAppendOnly("Ledger entries cannot be deleted; record a correcting entry.")

    def balances(self) -> dict[str, int]:
        """Allocated, committed, paid, outstanding and available pence over these entries (a pot's, or
        several)."""
        return with_derived_balances(self.aggregate(**BALANCE_SUMS))

    def balances_by(self, field: str) -> dict[int, dict[str, int]]:
        """The same balances for each value of `field` (a pot, an award), in one query."""
        rows = self.order_by().values(field).annotate(**BALANCE_SUMS)
        return {row[field]: with_derived_balances(row) for row in rows}


BALANCE_SUMS = {
    "allocated": Sum("amount_pence", filter=Q(entry_type__in=FUNDS_TYPES), default=0),
    "committed": Sum("amount_pence", filter=Q(entry_type__in=COMMITMENT_TYPES), default=0),
    "paid": Sum("amount_pence", filter=Q(entry_type=EntryType.PAYMENT), default=0),
}


def with_derived_balances(sums) -> dict[str, int]:
    """Allocated, committed and paid, with what follows from them: available to award and still to pay."""
    totals = {key: sums[key] for key in BALANCE_SUMS}
    totals["available"] = totals["allocated"] - totals["committed"]
    totals["outstanding"] = totals["committed"] - totals["paid"]
    return totals


class LedgerEntry(models.Model):
    """One movement of money, never changed or removed. Entries that move money between pots share a
    `movement` id; the signed amount says which way it went for this pot."""

    pot = models.ForeignKey(Pot, on_delete=models.PROTECT, related_name="entries")
    entry_type = models.CharField(max_length=16, choices=EntryType.choices)
    amount_pence = models.BigIntegerField(
        help_text="In pence: positive into the balance it moves, negative out"
    )
    financial_year = models.PositiveSmallIntegerField(help_text="Start year of the April–March year")
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    movement = models.UUIDField(default=uuid.uuid4, db_index=True)
    award = models.ForeignKey(
        "money.Award", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    counterpart = models.ForeignKey(
        Pot, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="The other pot"
    )
    reason = models.TextField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.get_entry_type_display()} {self.amount_pence}p {self.pot}"

    def save(self, *args, **kwargs):
        if not self._state.adding or (
            self.pk is not None and LedgerEntry.objects.filter(pk=self.pk).exists()
        ):
            raise LedgerIsAppendOnly("Ledger entries cannot be changed; record a correcting entry.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly("Ledger entries cannot be deleted; record a correcting entry.")

    @property
    def financial_year_name(self) -> str:
        return financial_year_name(self.financial_year)


class Award(models.Model):
    """Money a decision gave a request: committed in a pot, paid to the lead school on a schedule, and
    varied or ended early with a reason. Its amounts come from its ledger entries."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended early"

    reference = models.CharField(max_length=24)
    pot = models.ForeignKey(Pot, on_delete=models.PROTECT, related_name="awards")
    funding_request = models.OneToOneField(
        "funding_requests.FundingRequest", on_delete=models.PROTECT, related_name="award"
    )
    payee_school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="awards")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    decided_on = models.DateField()
    ended_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"Award {self.reference}"


class ScheduledPayment(models.Model):
    """When part of an award is due to be paid, for example at the start of each term it funds."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="schedule")
    due_on = models.DateField()
    amount_pence = models.PositiveBigIntegerField()
    term = models.ForeignKey(
        "organisations.Term", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["award", "due_on"]

    def __str__(self) -> str:
        return f"{self.amount_pence}p due {self.due_on}"


class ClusterShare(models.Model):
    """What a committed formula gave one cluster, and why, kept as it was worked out: the factor totals
    over its member schools, its weighted score, its proportional share, any floor or cap, and the part
    held back as contingency. The city pool's top-slice is a share with no score."""

    formula = models.ForeignKey(FundingFormula, on_delete=models.CASCADE, related_name="shares")
    cluster = models.ForeignKey("organisations.Cluster", on_delete=models.PROTECT, related_name="+")
    schools = models.PositiveIntegerField(default=0)
    factor_totals = models.JSONField(default=dict, help_text="{factor: total} as exact decimal text")
    score = models.CharField(max_length=60, blank=True)
    proportional_pence = models.CharField(max_length=60, blank=True)
    amount_pence = models.PositiveBigIntegerField()
    contingency_pence = models.PositiveBigIntegerField(default=0)
    floor_applied = models.BooleanField(default=False)
    cap_applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["formula", "cluster__is_city_pool", "cluster__number", "cluster__name"]
        constraints = [models.UniqueConstraint(fields=["formula", "cluster"], name="one_share_per_cluster")]

    def __str__(self) -> str:
        return f"{self.cluster}: {self.amount_pence}p"

    @property
    def main_pence(self) -> int:
        return self.amount_pence - self.contingency_pence
