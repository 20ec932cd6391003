"""Every change to councils, years, clusters, schools and teams. Each writes its audit event."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.text import slugify

from clusterfund.audit.services import changes, record_event
from clusterfund.core.errors import Invalid, Refused
from clusterfund.organisations.calendar import default_half_terms
from clusterfund.organisations.models import (
    GIVING_PREFIX_PATTERN,
    LEAST_SUPPRESSION_THRESHOLD,
    ORG_ID_PATTERN,
    AcademicYear,
    Cluster,
    ClusterMembership,
    Council,
    HalfTerm,
    School,
    TeamMember,
    Term,
)
from clusterfund.organisations.permissions import can_change_fairness_and_open_data_settings


class OrganisationError(Exception):
    """A change the rules forbid, with a message the person can read; `field` names the field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@transaction.atomic
def create_council(
    *, name: str, la_code: int, acting_user, slug: str = "", pupil_names_allowed: bool = True
) -> Council:
    """Set up a council that runs a cluster scheme."""
    council = Council.objects.create(
        name=name, la_code=la_code, slug=slug or slugify(name), pupil_names_allowed=pupil_names_allowed
    )
    record_event(
        acting_user=acting_user,
        action="council.created",
        obj=council,
        council=council,
        after={"name": name, "la_code": la_code, "pupil_names_allowed": pupil_names_allowed},
    )
    return council


@transaction.atomic
def open_academic_year(*, council: Council, start_year: int, acting_user) -> AcademicYear:
    """Open a school year with three terms and six half terms on sensible default dates."""
    if AcademicYear.objects.filter(council=council, start_year=start_year).exists():
        raise OrganisationError(f"{start_year}/{(start_year + 1) % 100:02d} is already open.")
    half_terms = default_half_terms(start_year)
    year = AcademicYear.objects.create(
        council=council,
        start_year=start_year,
        starts_on=datetime.date(start_year, 9, 1),
        ends_on=datetime.date(start_year + 1, 8, 31),
    )
    for number, season in enumerate(Term.Season.values, start=1):
        term = Term.objects.create(academic_year=year, season=season, number=number)
        for dates in half_terms[(number - 1) * 2 : number * 2]:
            HalfTerm.objects.create(
                term=term, number=dates.number, starts_on=dates.starts_on, ends_on=dates.ends_on
            )
    record_event(
        acting_user=acting_user,
        action="academic_year.opened",
        obj=year,
        council=council,
        after={"half_terms": [[h.starts_on.isoformat(), h.ends_on.isoformat()] for h in half_terms]},
    )
    return year


@transaction.atomic
def change_half_term_dates(
    *, half_term: HalfTerm, starts_on: datetime.date, ends_on: datetime.date, acting_user
) -> HalfTerm:
    """Move a half term's dates. They must stay in order with the half terms either side."""
    if starts_on >= ends_on:
        raise OrganisationError("The half term must end after it starts", "ends_on")
    year = half_term.term.academic_year
    if starts_on < year.starts_on or ends_on > year.ends_on:
        raise OrganisationError(
            f"The half term must fall within {year.name} (1 September to 31 August)",
            "starts_on" if starts_on < year.starts_on else "ends_on",
        )
    siblings = HalfTerm.objects.filter(term__academic_year=year).exclude(pk=half_term.pk)
    if siblings.filter(number__lt=half_term.number, ends_on__gte=starts_on).exists():
        raise OrganisationError("The half term must start after the previous half term ends", "starts_on")
    if siblings.filter(number__gt=half_term.number, starts_on__lte=ends_on).exists():
        raise OrganisationError("The half term must end before the next half term starts", "ends_on")
    before = {"starts_on": half_term.starts_on.isoformat(), "ends_on": half_term.ends_on.isoformat()}
    half_term.starts_on, half_term.ends_on = starts_on, ends_on
    half_term.save(update_fields=["starts_on", "ends_on"])
    record_event(
        acting_user=acting_user,
        action="half_term.dates_changed",
        obj=half_term,
        council=year.council,
        before=before,
        after={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return half_term


@transaction.atomic
def create_cluster(
    *,
    council: Council,
    name: str,
    acting_user,
    number: int | None = None,
    locality: str = "",
    is_city_pool: bool = False,
    meeting_rhythm: str = "",
    how_to_get_support: str = "",
) -> Cluster:
    """Set up a cluster of schools (or the council's city pool, which holds contingency money)."""
    cluster = Cluster.objects.create(
        council=council,
        name=name,
        slug=slugify(name),
        number=number,
        locality=locality,
        is_city_pool=is_city_pool,
        meeting_rhythm=meeting_rhythm,
        how_to_get_support=how_to_get_support,
    )
    record_event(
        acting_user=acting_user,
        action="cluster.created",
        obj=cluster,
        council=council,
        after={"name": name, "number": number, "locality": locality, "is_city_pool": is_city_pool},
    )
    return cluster


@transaction.atomic
def place_school_in_cluster(
    *, school: School, cluster: Cluster, academic_year: AcademicYear, acting_user
) -> ClusterMembership:
    """Put a school in a cluster for one academic year, moving it if it was in another that year."""
    if cluster.is_city_pool:
        raise OrganisationError("Schools belong to clusters, not to the city pool.")
    if not (school.council_id == cluster.council_id == academic_year.council_id):
        raise OrganisationError("The school, the cluster and the year must belong to the same council.")
    membership = (
        ClusterMembership.objects.select_for_update()
        .filter(school=school, academic_year=academic_year)
        .first()
    )
    if membership is not None and membership.cluster_id == cluster.pk:
        return membership
    before = {"cluster": membership.cluster.name} if membership else None
    if membership is None:
        membership = ClusterMembership.objects.create(
            school=school, cluster=cluster, academic_year=academic_year
        )
    else:
        membership.cluster = cluster
        membership.save(update_fields=["cluster"])
    record_event(
        acting_user=acting_user,
        action="school.placed_in_cluster" if before is None else "school.moved_cluster",
        obj=membership,
        council=cluster.council,
        before=before,
        after={"cluster": cluster.name, "academic_year": academic_year.name, "school": school.name},
    )
    return membership


@transaction.atomic
def add_team_member(
    *, cluster: Cluster, name: str, profession: str, acting_user, organisation: str = "", user=None
) -> TeamMember:
    """Name a member of the cluster's Team Around the Cluster."""
    if profession not in TeamMember.Profession.values:
        raise OrganisationError("Choose the team member's profession.")
    member = TeamMember.objects.create(
        cluster=cluster, name=name, profession=profession, organisation=organisation, user=user
    )
    record_event(
        acting_user=acting_user,
        action="team_member.added",
        obj=member,
        council=cluster.council,
        after={"name": name, "profession": profession, "cluster": cluster.name},
    )
    return member


@transaction.atomic
def update_school(*, school: School, acting_user, action: str = "school.updated", **fields) -> School:
    """Change a school's details; records only what changed, and nothing if nothing did."""
    before = {name: getattr(school, name) for name in fields}
    old, new = changes(before, fields)
    if not new:
        return school
    for name, value in new.items():
        setattr(school, name, value)
    school.save(update_fields=list(new))
    record_event(
        acting_user=acting_user,
        action=action,
        obj=school,
        council=school.council,
        before=old,
        after=new,
    )
    return school


# The fairness monitor's thresholds and the open data settings

FAIRNESS_AND_OPEN_DATA_FIELDS = (
    "fairness_high_ratio",
    "fairness_low_ratio",
    "fairness_quiet_terms",
    "fairness_meetings_waited",
    "fairness_named_blind_gap",
    "giving_prefix",
    "giving_org_id",
    "open_data_licence",
    "suppression_threshold",
)
_GIVING_PREFIX = re.compile(GIVING_PREFIX_PATTERN)
_ORG_ID = re.compile(ORG_ID_PATTERN)
MOST_SUPPRESSION_THRESHOLD = 100


def giving_prefix_error(value: str) -> str | None:
    """What is wrong with a 360Giving prefix (360G- then letters, numbers and hyphens), or None."""
    if any(character.isspace() for character in value):
        return "The 360Giving prefix must not contain spaces, like 360G-kirklees"
    if len(value) > 60 or not _GIVING_PREFIX.fullmatch(value):
        return (
            "The 360Giving prefix must start 360G- and then use only letters, numbers and hyphens, like "
            "360G-kirklees"
        )
    return None


def org_id_error(value: str) -> str | None:
    """What is wrong with an org-id (a register's code, like GB-LAE, then the identifier on it), or None."""
    if any(character.isspace() for character in value):
        return "The organisation identifier must not contain spaces, like GB-LAE-KIR"
    if len(value) > 60 or not _ORG_ID.fullmatch(value):
        return (
            "The organisation identifier must be a register's code, like GB-LAE, then a hyphen and the "
            "council's identifier on it, like GB-LAE-KIR"
        )
    return None


def _whole(errors: dict, field: str, value, what: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = f"{what} must be a whole number from {low} to {high}"


def _ratio(errors: dict, field: str, value, what: str, low: str, high: str) -> None:
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or not Decimal(low) <= value <= Decimal(high)
        or value != value.quantize(Decimal("0.01"))
    ):
        errors[field] = f"{what} must be a number from {low} to {high}, with at most 2 decimal places"


@transaction.atomic
def change_fairness_and_open_data_settings(
    *,
    council: Council,
    fairness_high_ratio: Decimal,
    fairness_low_ratio: Decimal,
    fairness_quiet_terms: int,
    fairness_meetings_waited: int,
    fairness_named_blind_gap: int,
    giving_prefix: str,
    giving_org_id: str,
    open_data_licence: str,
    suppression_threshold: int,
    acting_user,
) -> Council:
    """The thresholds at which the fairness monitor flags a school or a request, and how the council
    publishes its grants as open data: its 360Giving prefix and organisation identifier, the licence, and
    the smallest count it publishes. Only the council's SEND team changes them; what changed is audited."""
    if not can_change_fairness_and_open_data_settings(acting_user, council):
        raise Refused("Only the council's SEND team changes the fairness and open data settings.")
    errors: dict[str, str] = {}
    _ratio(errors, "fairness_high_ratio", fairness_high_ratio, "The ratio above need", "1.01", "20")
    _ratio(errors, "fairness_low_ratio", fairness_low_ratio, "The ratio below need", "0.01", "0.99")
    _whole(errors, "fairness_quiet_terms", fairness_quiet_terms, "The number of terms", 1, 6)
    _whole(errors, "fairness_meetings_waited", fairness_meetings_waited, "The number of meetings", 1, 12)
    _whole(errors, "fairness_named_blind_gap", fairness_named_blind_gap, "The gap", 1, 100)
    _whole(
        errors,
        "suppression_threshold",
        suppression_threshold,
        "The smallest count that is published",
        LEAST_SUPPRESSION_THRESHOLD,
        MOST_SUPPRESSION_THRESHOLD,
    )
    giving_prefix = (giving_prefix or "").strip()
    if giving_prefix and (message := giving_prefix_error(giving_prefix)):
        errors["giving_prefix"] = message
    giving_org_id = (giving_org_id or "").strip()
    if giving_org_id and (message := org_id_error(giving_org_id)):
        errors["giving_org_id"] = message
    open_data_licence = (open_data_licence or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(open_data_licence)
    except ValidationError:
        errors["open_data_licence"] = (
            "Enter the address of the licence as a web address, like https://www.example.org/"
        )
    else:
        if len(open_data_licence) > 200:
            errors["open_data_licence"] = "The address of the licence must be 200 characters or fewer"
    if errors:
        raise Invalid(errors)
    after = {
        "fairness_high_ratio": fairness_high_ratio,
        "fairness_low_ratio": fairness_low_ratio,
        "fairness_quiet_terms": fairness_quiet_terms,
        "fairness_meetings_waited": fairness_meetings_waited,
        "fairness_named_blind_gap": fairness_named_blind_gap,
        "giving_prefix": giving_prefix,
        "giving_org_id": giving_org_id,
        "open_data_licence": open_data_licence,
        "suppression_threshold": suppression_threshold,
    }
    before = {name: getattr(council, name) for name in FAIRNESS_AND_OPEN_DATA_FIELDS}
    old, new = changes(before, after)
    if not new:
        return council
    for name, value in new.items():
        setattr(council, name, value)
    council.save(update_fields=list(new))
    record_event(
        acting_user=acting_user,
        action="scheme.fairness_and_open_data_changed",
        obj=council,
        council=council,
        before={name: str(value) if isinstance(value, Decimal) else value for name, value in old.items()},
        after={name: str(value) if isinstance(value, Decimal) else value for name, value in new.items()},
    )
    return council
