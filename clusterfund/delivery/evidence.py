"""The evidence pack: one pupil's history with the cluster, in date order, ready to attach to a request for
an EHC needs assessment. The pupil's areas of need and EHC status over time; every request submitted for
them with its graduated approach and outcomes; the advice the school received; each decision, award and
payment; when the support started; and every review, with each outcome's result and what happened next.
A review that chose to request an EHC needs assessment is highlighted, and requests made after the
assessment was requested point back to it.

The pack is pseudonymous: the pupil is known by the school's reference, and their name is added only when
the school's own staff choose it. A request for a group names only this pupil; the others are counted,
never named. The pack is built in a fixed number of queries, however many requests the pupil has had.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from clusterfund.audit.services import record_event
from clusterfund.core.formatting import long_date, pounds
from clusterfund.delivery.models import Delivery, ImpactReview, NextStep, OutcomeReview
from clusterfund.funding_requests.lifecycle import DECIDED, RequestStatus
from clusterfund.funding_requests.models import FundingRequest, RequestType
from clusterfund.meetings.models import AgendaItem, ItemOutcome
from clusterfund.money.models import Award, EntryType, LedgerEntry, Pot
from clusterfund.pupils.models import EhcStatus, EhcStatusChange, Pupil
from clusterfund.pupils.needs import AreaOfNeed
from clusterfund.triage.models import PAPER_FIELDS, AdviceRecord, TriageDecision, TriageOutcome

# The graduated approach as the request sets it out: assess, plan, do, review, and advice already had.
APPROACH_FIELDS = ("assessed", "planned", "done", "reviewed", "advice_received")


class Kind:
    """What an entry records. Entries on the same day read in this order: the advice and the request
    before the decision on it, the money after the decision, a change of EHC status last (a review that
    asks for an assessment comes before the status it sets), except "No EHC plan", which comes first."""

    ADVICE = "advice"
    REQUEST = "request"
    DECISION = "decision"
    AWARD = "award"
    VARIATION = "variation"
    PAYMENT = "payment"
    RELEASE = "release"
    DELIVERY = "delivery"
    REVIEW = "review"
    EHC_STATUS = "ehc_status"

    LABELS = {
        ADVICE: "Advice",
        REQUEST: "Request",
        DECISION: "Decision",
        AWARD: "Award",
        VARIATION: "Award changed",
        PAYMENT: "Payment",
        RELEASE: "Award ended",
        DELIVERY: "Support started",
        REVIEW: "Review",
        EHC_STATUS: "EHC status",
    }
    ORDER = {kind: position for position, kind in enumerate(LABELS)}


@dataclass(frozen=True)
class Detail:
    """One labelled fact of an entry. `multiline` text keeps the writer's line breaks."""

    label: str
    text: str
    multiline: bool = False


@dataclass(frozen=True)
class OutcomeLine:
    """An outcome of a request: what should change, by when and how it is measured; in a review, also
    whether it was met and the evidence."""

    position: int
    what: str
    by_when: datetime.date | None = None
    how_measured: str = ""
    result: str = ""
    evidence: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Link:
    """A pointer to an earlier entry in the same pack."""

    anchor: str
    text: str


@dataclass(frozen=True)
class Entry:
    """One dated event in the pupil's history."""

    on: datetime.date
    kind: str
    anchor: str
    heading: str
    details: tuple[Detail, ...] = ()
    outcomes: tuple[OutcomeLine, ...] = ()
    highlighted: bool = False
    reference: str = ""  # the request it belongs to, if any
    see_also: tuple[Link, ...] = ()
    sort_key: tuple = field(default=(), compare=False, repr=False)
    first_of_its_day: bool = field(default=False, compare=False, repr=False)

    @property
    def kind_label(self) -> str:
        return Kind.LABELS[self.kind]


@dataclass(frozen=True)
class PupilSummary:
    """Who the pack is about, by the school's reference. `name` is empty unless the school added it."""

    reference: str
    name: str
    school: str
    council: str
    year_group: str
    primary_area: str
    other_areas: tuple[str, ...]
    sen_type: str
    ehc_status: str
    ehc_status_since: datetime.date | None

    @property
    def areas_of_need(self) -> tuple[str, ...]:
        return (self.primary_area, *self.other_areas)


@dataclass(frozen=True)
class EvidencePack:
    pupil: PupilSummary
    entries: tuple[Entry, ...]
    made_on: datetime.date
    requests: int
    awarded_pence: int

    @property
    def ehc_assessment_requested(self) -> bool:
        return any(e.kind == Kind.EHC_STATUS and e.highlighted for e in self.entries)


def _area_labels(areas) -> tuple[str, ...]:
    labels = dict(AreaOfNeed.choices)
    return tuple(labels[area] for area in areas if area in labels)


def _pupils_text(reference: str, pupil_ids, pupil_pk: int) -> str:
    """This pupil's reference, and how many others the record is about, never who they are."""
    others = len({pk for pk in pupil_ids if pk != pupil_pk})
    if not others:
        return reference
    return f"{reference} and {others} other {'pupil' if others == 1 else 'pupils'}"


def _summary(pupil: Pupil, *, include_name: bool) -> PupilSummary:
    return PupilSummary(
        reference=pupil.reference,
        name=pupil.name if include_name else "",
        school=pupil.school.name,
        council=pupil.school.council.name,
        year_group=pupil.get_year_group_display(),
        primary_area=pupil.get_primary_area_display(),
        other_areas=_area_labels(pupil.secondary_areas),
        sen_type=pupil.get_sen_type_display(),
        ehc_status=pupil.get_ehc_status_display(),
        ehc_status_since=pupil.ehc_status_since,
    )


def _requests_of(pupil: Pupil) -> list[FundingRequest]:
    """Every request submitted with the pupil in it, with all the pack needs of each: one query per kind
    of thing, whatever the number of requests."""
    only_ids = Pupil.objects.order_by().only("pk")
    reviews = (
        ImpactReview.objects.exclude(done_on=None)
        .order_by("done_on", "pk")
        .prefetch_related(
            Prefetch("outcomes", queryset=OutcomeReview.objects.select_related("outcome").order_by("pk"))
        )
    )
    return list(
        FundingRequest.objects.filter(pupils=pupil, submitted_at__isnull=False)
        .select_related("lead_school", "award__pot", "delivery", "chairs_action")
        .prefetch_related(
            "outcomes",
            "provision_lines",
            Prefetch("pupils", queryset=only_ids),
            Prefetch("award__schedule"),
            Prefetch(
                "award__entries", queryset=LedgerEntry.objects.order_by("occurred_on", "recorded_at", "pk")
            ),
            Prefetch("impact_reviews", queryset=reviews),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.exclude(outcome="")
                .select_related("meeting")
                .order_by("meeting__held_on", "pk"),
            ),
            Prefetch(
                "triage_decisions",
                queryset=TriageDecision.objects.filter(
                    outcome__in=[TriageOutcome.RESOLVED_WITH_ADVICE, TriageOutcome.REDIRECTED]
                ).order_by("-decided_at", "-id"),
            ),
        )
        .order_by("submitted_at", "pk")
    )


def _advice_of(pupil: Pupil, request_ids) -> list[AdviceRecord]:
    """Advice about the pupil, and advice on one of their requests that names no pupil in particular.
    Advice that names other pupils only is theirs, not this pupil's."""
    return list(
        AdviceRecord.objects.filter(Q(pupils=pupil) | Q(funding_request_id__in=request_ids, pupils=None))
        .distinct()
        .select_related("funding_request")
        .prefetch_related(Prefetch("pupils", queryset=Pupil.objects.order_by().only("pk")))
        .order_by("given_on", "pk")
    )


def _award_of(fr: FundingRequest) -> Award | None:
    return getattr(fr, "award", None)


def _delivery_of(fr: FundingRequest) -> Delivery | None:
    return getattr(fr, "delivery", None)


def _request_entry(fr: FundingRequest, order: int, pupil: Pupil) -> Entry:
    asked = sum(line.total_pence for line in fr.provision_lines.all())
    details = [
        Detail("Type", fr.get_request_type_display() + (", urgent" if fr.is_urgent else "")),
        *([Detail("Lead school", fr.lead_school.name)] if fr.lead_school_id != pupil.school_id else []),
        Detail("Pupils", _pupils_text(pupil.reference, (p.pk for p in fr.pupils.all()), pupil.pk)),
        Detail("Areas of need", ", ".join(_area_labels([fr.primary_area, *fr.other_areas])) or "Not given"),
        Detail("The need", fr.need or "Not given", multiline=True),
        *(
            Detail(PAPER_FIELDS[name], getattr(fr, name) or "Not given", multiline=True)
            for name in APPROACH_FIELDS
        ),
    ]
    if fr.start_date:
        details.append(
            Detail("When the support runs", f"{long_date(fr.start_date)} to {long_date(fr.end_date)}")
        )
    if fr.request_type != RequestType.ADVICE_ONLY:
        details.append(Detail("Amount asked for", pounds(asked) if asked else "None costed"))
    details.append(Detail("Status now", fr.get_status_display()))
    return Entry(
        on=timezone.localdate(fr.submitted_at),
        kind=Kind.REQUEST,
        anchor=f"request-{fr.pk}",
        heading=f"Request {fr.reference} submitted: {fr.title}",
        details=tuple(details),
        outcomes=tuple(
            OutcomeLine(position=o.position, what=o.what, by_when=o.by_when, how_measured=o.how_measured)
            for o in fr.outcomes.all()
        ),
        reference=fr.reference,
        sort_key=(order, 0),
    )


def _decision_entries(fr: FundingRequest, order: int) -> list[Entry]:
    """The meeting's decisions on the request (a deferral, then the decision at a later meeting), or the
    decision made outside a meeting: by triage, or by the chair's action."""
    entries = []
    for item in fr.agenda_items.all():
        details = [Detail("Meeting", f"{item.meeting.get_kind_display()}, {long_date(item.meeting.held_on)}")]
        if item.funded_pence:
            details.append(Detail("Amount funded", pounds(item.funded_pence)))
        if item.outcome_note:
            details.append(Detail("Why", item.outcome_note, multiline=True))
        entries.append(
            Entry(
                on=item.meeting.held_on,
                kind=Kind.DECISION,
                anchor=f"decision-{item.pk}",
                heading=f"Request {fr.reference} at the meeting: {ItemOutcome(item.outcome).label.lower()}",
                details=tuple(details),
                reference=fr.reference,
                sort_key=(order, item.pk),
            )
        )
    if fr.decided_on is None or any(e.on == fr.decided_on for e in entries):
        return entries
    chairs_action = getattr(fr, "chairs_action", None)
    triage = next(iter(fr.triage_decisions.all()), None)
    details = []
    if chairs_action is not None:
        words = "approved by the chair's action"
        details = [
            Detail("Amount", pounds(chairs_action.amount_pence)),
            Detail("Why", chairs_action.reason, multiline=True),
        ]
    elif fr.status in DECIDED:
        words = fr.get_status_display().lower()
        if triage is not None and fr.status in (RequestStatus.RESOLVED_WITH_ADVICE, RequestStatus.REDIRECTED):
            words += " by the Team Around the Cluster"
            if triage.recommendation:
                details = [Detail("Why", triage.recommendation, multiline=True)]
    else:
        words = "funded"  # since moved on to delivery, review or closing
    entries.append(
        Entry(
            on=fr.decided_on,
            kind=Kind.DECISION,
            anchor=f"decision-request-{fr.pk}",
            heading=f"Request {fr.reference}: {words}",
            details=tuple(details),
            reference=fr.reference,
            sort_key=(order, 0),
        )
    )
    return entries


POT_WORDS = {Pot.Kind.CLUSTER: "The cluster's pot", Pot.Kind.CONTINGENCY: "The contingency"}


def _money_entries(fr: FundingRequest, order: int) -> tuple[list[Entry], int]:
    """The award and every later movement of its money, and the pence committed to it now."""
    award = _award_of(fr)
    if award is None:
        return [], 0
    ledger = list(award.entries.all())
    committed = sum(
        e.amount_pence
        for e in ledger
        if e.entry_type in (EntryType.COMMITMENT, EntryType.VARIATION, EntryType.RELEASE)
    )
    paid = sum(e.amount_pence for e in ledger if e.entry_type == EntryType.PAYMENT)
    first = sum(e.amount_pence for e in ledger if e.entry_type == EntryType.COMMITMENT)
    details = [
        Detail("Amount awarded", pounds(first)),
        Detail("Paid from", POT_WORDS.get(award.pot.kind, award.pot.get_kind_display())),
        Detail("Paid to", fr.lead_school.name),
    ]
    schedule = list(award.schedule.all())
    if schedule:
        details.append(
            Detail(
                "Payments due",
                "; ".join(f"{pounds(p.amount_pence)} due on {long_date(p.due_on)}" for p in schedule),
            )
        )
    details.append(Detail("Committed now", pounds(committed)))
    details.append(Detail("Paid so far", pounds(paid)))
    if award.status == Award.Status.ENDED:
        details.append(Detail("Ended early", award.ended_reason or "No reason given", multiline=True))
    entries = [
        Entry(
            on=award.decided_on,
            kind=Kind.AWARD,
            anchor=f"award-{award.pk}",
            heading=f"Award {award.reference}: {pounds(first)}",
            details=tuple(details),
            reference=fr.reference,
            sort_key=(order, 0),
        )
    ]
    kinds = {
        EntryType.VARIATION: Kind.VARIATION,
        EntryType.PAYMENT: Kind.PAYMENT,
        EntryType.RELEASE: Kind.RELEASE,
    }
    for e in ledger:
        kind = kinds.get(e.entry_type)
        if kind is None:
            continue
        if kind == Kind.PAYMENT:
            heading = f"Payment of {pounds(e.amount_pence)} on award {award.reference}"
        elif kind == Kind.VARIATION:
            change = "up" if e.amount_pence > 0 else "down"
            heading = f"Award {award.reference} changed {change} by {pounds(abs(e.amount_pence))}"
        else:
            heading = (
                f"Award {award.reference}: {pounds(abs(e.amount_pence))} not needed, returned to the pot"
            )
        entries.append(
            Entry(
                on=e.occurred_on,
                kind=kind,
                anchor=f"ledger-{e.pk}",
                heading=heading,
                details=(Detail("Note", e.reason, multiline=True),) if e.reason else (),
                reference=fr.reference,
                sort_key=(order, e.pk),
            )
        )
    return entries, committed


def _delivery_entry(fr: FundingRequest, order: int) -> Entry | None:
    delivery = _delivery_of(fr)
    if delivery is None:
        return None
    provider = delivery.get_provider_display()
    if delivery.provider_name:
        provider = f"{provider}: {delivery.provider_name}"
    return Entry(
        on=delivery.started_on,
        kind=Kind.DELIVERY,
        anchor=f"delivery-{delivery.pk}",
        heading=f"Support started for request {fr.reference}",
        details=(Detail("Provided by", provider),),
        reference=fr.reference,
        sort_key=(order, 0),
    )


def _review_entries(fr: FundingRequest, order: int) -> list[Entry]:
    entries = []
    for review in fr.impact_reviews.all():
        ehc = review.next_step == NextStep.EHC_ASSESSMENT
        details = [
            Detail("Review due", long_date(review.due_on)),
            Detail("What happens next", review.get_next_step_display() or "Not recorded"),
        ]
        if review.children_supported is not None:
            details.append(Detail("Children supported", f"{review.children_supported:,}"))
        if review.notes:
            details.append(Detail("Notes", review.notes, multiline=True))
        entries.append(
            Entry(
                on=review.done_on,
                kind=Kind.REVIEW,
                anchor=f"review-{review.pk}",
                heading=f"Review of request {fr.reference}"
                + (": an EHC needs assessment to be requested" if ehc else ""),
                details=tuple(details),
                outcomes=tuple(
                    OutcomeLine(
                        position=r.outcome.position,
                        what=r.outcome.what,
                        by_when=r.outcome.by_when,
                        how_measured=r.outcome.how_measured,
                        result=r.get_result_display(),
                        evidence=r.evidence,
                        notes=r.notes,
                    )
                    for r in sorted(review.outcomes.all(), key=lambda r: (r.outcome.position, r.pk))
                ),
                highlighted=ehc,
                reference=fr.reference,
                sort_key=(order, review.pk),
            )
        )
    return entries


def _advice_entry(record: AdviceRecord, pupil: Pupil) -> Entry:
    named = [p.pk for p in record.pupils.all()]
    details = [Detail("Given by", record.given_by)]
    if named:  # advice on a request that names no pupil is about the request
        details.append(Detail("About", _pupils_text(pupil.reference, named, pupil.pk)))
    if record.funding_request_id:
        details.append(Detail("On request", record.funding_request.reference))
    details.append(Detail("What was advised", record.advice, multiline=True))
    return Entry(
        on=record.given_on,
        kind=Kind.ADVICE,
        anchor=f"advice-{record.pk}",
        heading=record.get_kind_display(),
        details=tuple(details),
        reference=record.funding_request.reference if record.funding_request_id else "",
        sort_key=(record.pk,),
    )


def _ehc_entry(change: EhcStatusChange, reviews: list[Entry]) -> Entry:
    requested = change.status == EhcStatus.REQUESTED
    details = []
    if requested:
        review = next((r for r in reviews if r.highlighted and r.on == change.changed_on), None)
        if review is not None:
            details.append(Detail("Following", f"the review of request {review.reference}"))
    return Entry(
        on=change.changed_on,
        kind=Kind.EHC_STATUS,
        anchor=f"ehc-{change.pk}",
        heading=change.get_status_display(),
        details=tuple(details),
        highlighted=requested,
        sort_key=(change.recorded_at, change.pk),
        # "No EHC plan" is noted when the pupil's record is made, before anything else that day
        first_of_its_day=change.status == EhcStatus.NONE,
    )


def _linked_to_assessments(entries: list[Entry]) -> list[Entry]:
    """Each request made after an EHC needs assessment was requested points back to that request (the
    latest before it). A request on the same day as the assessment reads before it, so it does not."""
    linked, latest = [], None
    for entry in entries:
        if entry.kind == Kind.EHC_STATUS and entry.highlighted:
            latest = entry
        elif entry.kind == Kind.REQUEST and latest is not None:
            words = f"An EHC needs assessment was requested on {long_date(latest.on)}"
            entry = replace(entry, see_also=(*entry.see_also, Link(latest.anchor, words)))
        linked.append(entry)
    return linked


def evidence_pack(
    pupil: Pupil, *, include_name: bool = False, today: datetime.date | None = None
) -> EvidencePack:
    """The pupil's evidence pack, oldest first. `include_name` adds the pupil's name: the caller decides
    whether the person may (only the pupil's own school's staff, when they choose to)."""
    requests = _requests_of(pupil)
    entries: list[Entry] = []
    awarded = 0
    reviews: list[Entry] = []
    for order, fr in enumerate(requests):
        entries.append(_request_entry(fr, order, pupil))
        entries.extend(_decision_entries(fr, order))
        money, committed = _money_entries(fr, order)
        entries.extend(money)
        awarded += committed
        delivery = _delivery_entry(fr, order)
        if delivery is not None:
            entries.append(delivery)
        reviews.extend(_review_entries(fr, order))
    entries.extend(reviews)
    entries.extend(_advice_entry(record, pupil) for record in _advice_of(pupil, [fr.pk for fr in requests]))
    history = EhcStatusChange.objects.filter(pupil=pupil).order_by("changed_on", "recorded_at", "pk")
    ehc = [_ehc_entry(change, reviews) for change in history]
    entries.extend(ehc)
    entries.sort(key=lambda e: (e.on, -1 if e.first_of_its_day else Kind.ORDER[e.kind], e.sort_key))
    entries = _linked_to_assessments(entries)
    return EvidencePack(
        pupil=_summary(pupil, include_name=include_name),
        entries=tuple(entries),
        made_on=today or timezone.localdate(),
        requests=len(requests),
        awarded_pence=awarded,
    )


@transaction.atomic
def record_evidence_pack_read(*, pupil: Pupil, as_pdf: bool, with_name: bool, acting_user) -> None:
    """Note that someone opened or downloaded a pupil's evidence pack, and whether the PDF carried the
    pupil's name (never the name itself): the pack is special-category data about a child."""
    record_event(
        acting_user=acting_user,
        action="pupil.evidence_pack_downloaded" if as_pdf else "pupil.evidence_pack_viewed",
        obj=pupil,
        council=pupil.school.council,
        after={"name_included": with_name} if as_pdf else None,
    )
