"""The meeting pack: what every member reads before a meeting, the same for each of them. The agenda in
its frozen order; each request's paper (blind where the meeting reads requests blind); the Team Around the
Cluster's recommendation and score summary; the money available; and the rules of the vote, the tie-break
and the lot. Ready once the agenda is frozen.

In a blind meeting the pack names no school: no lead school, and no list of who may vote on what (a school
missing from an item's voters is the school that submitted it). It says only that some schools are not
eligible to vote on some items.

The pack is built in a fixed number of queries, however long the agenda.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from clusterfund.accounts.models import RoleAssignment
from clusterfund.accounts.roles import Role
from clusterfund.audit.services import record_event
from clusterfund.funding_requests.models import (
    Attachment,
    FundingRequest,
    JointSchool,
    ProvisionLine,
    RequestType,
)
from clusterfund.meetings.models import AgendaItem, Meeting
from clusterfund.meetings.permissions import voting_school_ids
from clusterfund.meetings.selectors import quorum
from clusterfund.money.selectors import cluster_pots
from clusterfund.organisations.models import Council, School
from clusterfund.pupils.models import Pupil
from clusterfund.triage.models import (
    TriageDecision,
    TriageOutcome,
)
from clusterfund.triage.papers import (
    Paper,
    PaperRedactor,
    paper_for,
    redactor_for,
    submitting_school_ids,
)
from clusterfund.triage.redaction import KnownNames
from clusterfund.triage.selectors import CriterionSummary, score_summaries


@dataclass(frozen=True)
class PackItem:
    """One request on the agenda, as the pack shows it. `lead_school` and `not_voting` are empty in a blind
    meeting."""

    position: int
    reference: str
    amount_pence: int
    carried_over: bool
    from_contingency: bool
    paper: Paper
    lead_school: str
    not_voting: list[str]
    recommended_pence: int | None
    recommendation: str
    scores: list[CriterionSummary]

    @property
    def title(self) -> str:
        return self.paper.text("title")

    @property
    def needs_moderation(self) -> bool:
        return any(summary.needs_moderation for summary in self.scores)


@dataclass(frozen=True)
class MoneyAvailable:
    """What the meeting can award: the cluster pot's uncommitted balance, and its contingency's (at a city
    meeting, the city pool's contingency only). None where there is no such pot yet."""

    pot_pence: int | None
    contingency_pence: int | None
    is_city: bool


@dataclass(frozen=True)
class VoteRules:
    """How the vote is counted, in plain words, with the tie-break, the lot and the quorum."""

    method: str
    method_name: str
    how_it_counts: list[str]
    tie_break: str
    lot: list[str]
    quorum_percent: int
    member_schools: int
    quorum_needed: int
    some_not_eligible: bool
    separate_contingency: bool


@dataclass(frozen=True)
class MeetingPack:
    meeting: Meeting
    is_blind: bool
    items: list[PackItem]
    money: MoneyAvailable
    rules: VoteRules

    @property
    def total_pence(self) -> int:
        return sum(item.amount_pence for item in self.items)


HOW_IT_COUNTS = {
    "equal-shares": [
        "Each school present approves the requests it would fund.",
        "Every school present holds an equal share of the money available.",
        "A request is funded when the schools that approved it can pay for it from their shares, splitting "
        "its cost equally; a school that cannot pay its full part pays all it has left.",
        "Requests are funded cheapest per supporter first: each round funds the request whose supporters "
        "each pay the smallest part of its cost.",
        "If money is left over, the count is run again with every school's share £1 larger, and again while "
        "the result still fits the money; the last result that fits is kept (the \u201cAdd1\u201d "
        "completion).",
    ],
    "greedy": [
        "Each school present approves the requests it would fund.",
        "Requests are funded in order of support, most support first, each if it still fits the money left. "
        "A request's support is the number of schools that approved it divided by the number of schools "
        "eligible to vote on it.",
        "A request no school approved is never funded.",
    ],
    "majority": [
        "Each school present votes for or against each request, or abstains.",
        "A request passes when more schools vote for it than against it, and the meeting is quorate.",
        "Passed requests are funded in order of the share of eligible schools in favour, while the money "
        "lasts. The rest are \u201capproved, not funded\u201d and go to the next meeting.",
    ],
}

TIE_BREAK = (
    "When requests tie, the one that costs less comes first; then the one with more support; then the one "
    "earlier in the lot, drawn when the agenda was frozen."
)


def _method_name(method: str) -> str:
    choices = dict(Council._meta.get_field("counting_method").choices)
    return choices.get(method, method)


class _AsWritten:
    """A named meeting reads each request as the school wrote it."""

    def redact(self, text: str) -> str:
        return text


def _agenda(meeting) -> list[AgendaItem]:
    """The agenda in order with everything each paper needs, in one query per kind of thing."""
    requests = FundingRequest.objects.select_related("lead_school", "created_by", "council").prefetch_related(
        Prefetch(
            "joint_schools", queryset=JointSchool.objects.select_related("school").order_by("invited_at")
        ),
        Prefetch("pupils", queryset=Pupil.objects.order_by("year_group")),
        "outcomes",
        Prefetch("provision_lines", queryset=ProvisionLine.objects.select_related("term__academic_year")),
        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at")),
        "paper_wording",
        Prefetch(
            "triage_decisions",
            queryset=TriageDecision.objects.filter(outcome=TriageOutcome.READY_FOR_MEETING).order_by(
                "-decided_at", "-id"
            ),
        ),
    )
    return list(
        meeting.items.select_related(None)
        .prefetch_related(Prefetch("funding_request", queryset=requests))
        .order_by("position", "pk")
    )


def _redactors(requests) -> dict[int, PaperRedactor]:
    """Each request's redactor, for the same names `triage.papers.known_names_for` finds, gathered for the
    whole agenda at once."""
    council_ids = {fr.council_id for fr in requests}
    schools_of: dict[int, list[str]] = {}
    for council_id, name in School.objects.filter(council_id__in=council_ids).values_list(
        "council_id", "name"
    ):
        schools_of.setdefault(council_id, []).append(name)
    staff_of: dict[int, set[str]] = {}
    for council_id, name in RoleAssignment.objects.filter(
        role=Role.SCHOOL_STAFF, council_id__in=council_ids
    ).values_list("council_id", "user__full_name"):
        staff_of.setdefault(council_id, set()).add(name)
    all_school_ids = {school_id for fr in requests for school_id in submitting_school_ids(fr)}
    pupils = list(
        Pupil.objects.filter(school_id__in=all_school_ids).values_list("school_id", "name", "reference")
    )
    redactors = {}
    for fr in requests:
        school_ids = submitting_school_ids(fr)
        own_pupils = [(name, reference) for school_id, name, reference in pupils if school_id in school_ids]
        schools = {
            fr.lead_school.pk: fr.lead_school,
            **{j.school_id: j.school for j in fr.joint_schools.all()},
        }
        places = [
            value
            for school in sorted(schools.values(), key=lambda school: school.name)
            for value in (school.street, school.locality, school.town, school.postcode)
            if value
        ]
        staff = staff_of.get(fr.council_id, set()) | {fr.created_by.full_name}
        names = KnownNames(
            schools=tuple(schools_of.get(fr.council_id, [])),
            staff=tuple(sorted(name for name in staff if name)),
            pupils=tuple(name for name, _ in own_pupils if name),
            pupil_references=tuple(reference for _, reference in own_pupils),
            places=tuple(sorted(places)),
        )
        redactors[fr.pk] = redactor_for(names)
    return redactors


def _money(meeting) -> MoneyAvailable:
    pots = cluster_pots(meeting.cluster, meeting.academic_year)
    main, contingency = pots["main"], pots["contingency"]
    return MoneyAvailable(
        pot_pence=None if meeting.cluster.is_city_pool or main is None else main.balances["available"],
        contingency_pence=None if contingency is None else contingency.balances["available"],
        is_city=meeting.cluster.is_city_pool,
    )


def meeting_pack(meeting) -> MeetingPack:
    """The pack for a meeting whose agenda is frozen: the same for every member who may see the meeting."""
    council = meeting.cluster.council
    blind = meeting.is_blind
    agenda = _agenda(meeting)
    requests = [item.funding_request for item in agenda]
    redactors = _redactors(requests) if blind else {}
    scores = score_summaries(requests)
    voters = voting_school_ids(meeting)
    names = {} if blind else dict(School.objects.filter(pk__in=voters).values_list("pk", "name"))
    items = []
    for item in agenda:
        fr = item.funding_request
        redactor = redactors.get(fr.pk) or _AsWritten()
        decision = next(iter(fr.triage_decisions.all()), None)
        not_voting = sorted(names[pk] for pk in voters - set(item.eligible_school_ids)) if not blind else []
        items.append(
            PackItem(
                position=item.position,
                reference=fr.reference,
                amount_pence=item.amount_pence or 0,
                carried_over=item.carried_over,
                from_contingency=fr.request_type == RequestType.CONTINGENCY,
                paper=paper_for(fr, redactor, reworded=blind),
                lead_school="" if blind else fr.lead_school.name,
                not_voting=not_voting,
                recommended_pence=decision.recommended_pence if decision else None,
                recommendation=redactor.redact(decision.recommendation) if decision else "",
                scores=scores[fr.pk],
            )
        )
    method = meeting.counting_method or council.counting_method
    _, needed, _ = quorum(meeting)
    sources = {item.from_contingency for item in items}
    rules = VoteRules(
        method=method,
        method_name=_method_name(method),
        how_it_counts=HOW_IT_COUNTS.get(method, []),
        tie_break=TIE_BREAK,
        lot=list(meeting.lot),
        quorum_percent=council.quorum_percent,
        member_schools=len(voters),
        quorum_needed=max(needed, 1),
        some_not_eligible=any(voters - set(item.eligible_school_ids) for item in agenda),
        separate_contingency=len(sources) > 1 and not meeting.cluster.is_city_pool,
    )
    return MeetingPack(meeting=meeting, is_blind=blind, items=items, money=_money(meeting), rules=rules)


@transaction.atomic
def record_pack_read(*, meeting, as_pdf: bool, acting_user) -> None:
    """Note that someone opened or downloaded a meeting's pack: its papers describe children's needs."""
    record_event(
        acting_user=acting_user,
        action="meeting.pack_downloaded" if as_pdf else "meeting.pack_viewed",
        obj=meeting,
        council=meeting.cluster.council,
    )
