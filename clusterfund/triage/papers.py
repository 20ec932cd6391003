"""A request as a blind meeting reads it: its paper. Known only by its reference code, with schools,
staff and pupils unnamed in every field, free text redacted, and attachments withheld unless the school
marked them anonymised. Cost, need and evidence stay.

The redaction knows the council's schools, the submitting schools' staff, pupils and addresses. The school
sees its paper before it submits and may reword any redacted text; its wording is redacted again, and is
set aside if the text it rewrote changes.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from clusterfund.accounts.models import RoleAssignment
from clusterfund.accounts.roles import Role
from clusterfund.funding_requests.models import Attachment, FundingRequest
from clusterfund.organisations.models import School
from clusterfund.pupils.models import Pupil
from clusterfund.pupils.needs import AreaOfNeed
from clusterfund.triage.models import PAPER_FIELDS, PaperWording, fingerprint
from clusterfund.triage.redaction import KnownNames, Redactor, redact_titled_names


@dataclass(frozen=True)
class PaperText:
    key: str
    label: str
    text: str
    reworded: bool = False


@dataclass(frozen=True)
class Paper:
    """Everything a blind meeting may read of a request."""

    funding_request: FundingRequest
    texts: list[PaperText]
    pupils: list[str]
    schools_taking_part: int
    outcomes: list[dict]
    lines: list[dict]
    attachments: list[dict]
    withheld_attachments: int
    areas: list[str] = field(default_factory=list)

    def text(self, key: str) -> str:
        return next(t.text for t in self.texts if t.key == key)


def submitting_school_ids(funding_request) -> list[int]:
    return [funding_request.lead_school_id, *(j.school_id for j in funding_request.joint_schools.all())]


def known_names_for(funding_request) -> KnownNames:
    """Whose names the paper must not show: every school of the council, and the submitting schools'
    staff, pupils (names and references) and addresses."""
    school_ids = submitting_school_ids(funding_request)
    schools = list(
        School.objects.filter(council_id=funding_request.council_id).values_list("name", flat=True)
    )
    # Every school's staff, not only the submitting schools': a paper may name a colleague elsewhere.
    staff = set(
        RoleAssignment.objects.filter(
            role=Role.SCHOOL_STAFF, council_id=funding_request.council_id
        ).values_list("user__full_name", flat=True)
    )
    staff.add(funding_request.created_by.full_name)
    pupils = list(Pupil.objects.filter(school_id__in=school_ids).values_list("name", "reference"))
    places = [
        value
        for row in School.objects.filter(pk__in=school_ids).values_list(
            "street", "locality", "town", "postcode"
        )
        for value in row
        if value
    ]
    return KnownNames(
        schools=tuple(schools),
        staff=tuple(sorted(name for name in staff if name)),
        pupils=tuple(name for name, _ in pupils if name),
        pupil_references=tuple(reference for _, reference in pupils),
        places=tuple(sorted(places)),
    )


class PaperRedactor:
    """The known names, then anyone written with a title."""

    def __init__(self, names: KnownNames):
        self.known = Redactor(names)

    def redact(self, text: str) -> str:
        return redact_titled_names(self.known.redact(text))


@lru_cache(maxsize=64)
def redactor_for(names: KnownNames) -> PaperRedactor:
    """A redactor for these names, built once (building one for a council's schools takes tens of
    milliseconds; a meeting's papers share it)."""
    return PaperRedactor(names)


def _pupil_line(pupil) -> str:
    return ", ".join(
        part
        for part in (
            f"Year {pupil.year_group}"
            if pupil.year_group not in ("N", "R")
            else pupil.get_year_group_display(),
            pupil.get_primary_area_display(),
            pupil.get_ehc_status_display(),
        )
        if part
    )


def _related(funding_request, name: str, queryset):
    """The request's `name` objects: as prefetched when they were (a meeting pack fetches a whole agenda's
    at once), otherwise from `queryset`."""
    cache = getattr(funding_request, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else list(queryset)


def paper_for(funding_request, redactor: PaperRedactor | None = None, *, reworded: bool = True) -> Paper:
    """The request's paper, with each redacted text replaced by the school's rewording where it has one
    for the text as it stands (unless `reworded` is false: a named meeting reads what the school wrote).
    Uses the request's prefetched pupils, outcomes, lines, documents and wording where there are any."""
    redactor = redactor or redactor_for(known_names_for(funding_request))
    fr = funding_request
    wording = (
        {w.field: w for w in _related(fr, "paper_wording", PaperWording.objects.filter(funding_request=fr))}
        if reworded
        else {}
    )
    texts = []
    for key, label in PAPER_FIELDS.items():
        original = getattr(funding_request, key) or ""
        own = wording.get(key)
        if own is not None and own.source_fingerprint == fingerprint(original):
            texts.append(PaperText(key, label, redactor.redact(own.text), reworded=True))
        else:
            texts.append(PaperText(key, label, redactor.redact(original)))
    labels = dict(AreaOfNeed.choices)
    attachments, withheld = [], 0
    documents = _related(fr, "attachments", Attachment.objects.filter(funding_request=fr))
    for number, attachment in enumerate(sorted(documents, key=lambda a: (a.uploaded_at, a.pk)), start=1):
        if attachment.is_anonymised:
            attachments.append(
                {
                    "token": attachment.token,
                    "name": f"Document {number}",
                    "description": redactor.redact(attachment.description),
                }
            )
        else:
            withheld += 1
    return Paper(
        funding_request=funding_request,
        texts=texts,
        pupils=[
            _pupil_line(pupil)
            for pupil in sorted(_related(fr, "pupils", fr.pupils.all()), key=lambda p: (p.year_group, p.pk))
        ],
        schools_taking_part=len(submitting_school_ids(funding_request)),
        outcomes=[
            {
                "what": redactor.redact(outcome.what),
                "by_when": outcome.by_when,
                "how_measured": redactor.redact(outcome.how_measured),
            }
            for outcome in _related(fr, "outcomes", fr.outcomes.all())
        ],
        lines=[
            {
                "what": redactor.redact(line.what),
                "provider": redactor.redact(line.provider),
                "units": line.units_text,
                "unit_cost_pence": line.unit_cost_pence,
                "total_pence": line.total_pence,
                "term": line.term,
            }
            for line in _related(
                fr, "provision_lines", fr.provision_lines.select_related("term__academic_year")
            )
        ],
        attachments=attachments,
        withheld_attachments=withheld,
        areas=[
            labels[a] for a in [funding_request.primary_area, *funding_request.other_areas] if a in labels
        ],
    )
