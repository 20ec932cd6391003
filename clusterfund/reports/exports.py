"""Open data: a council's cluster funding as grants in the 360Giving Data Standard 1.4, as JSON and as the
standard's flat CSV.

Each school gets one grant per academic year: the sum of what its awards from that year's pots commit, after
variations and releases, with the date of the first decision. A grant is never one per award or per pupil,
and nothing in it comes from what a school wrote in a request, so no child can be named or picked out. It
states no count at all (not even how many awards a grant sums): with the year-in-numbers pages beside it, a
count per school would let a reader work out a cluster's hidden "fewer than 5".
"""

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from clusterfund.core.exports import pounds_value
from clusterfund.core.params import whole_number
from clusterfund.money.models import COMMITMENT_TYPES, Award, LedgerEntry
from clusterfund.organisations.models import OPEN_GOVERNMENT_LICENCE, AcademicYear, Cluster, Council, School

GIVING_VERSION = "1.4"
# Until the council registers a prefix with 360Giving, identifiers are made under the service's own name.
FALLBACK_PREFIX = "360G-clusterfund"
LICENCE_NAMES = {OPEN_GOVERNMENT_LICENCE: "Open Government Licence v3.0"}

# The flat CSV's columns, titled as the standard's schema titles them (the first programme "rolls up" into
# the plain "Grant Programme:…" columns; any more are numbered, as 360Giving's flattening tool writes them).
CSV_COLUMNS = [
    ("Identifier", lambda grant: grant["id"]),
    ("Title", lambda grant: grant["title"]),
    ("Description", lambda grant: grant["description"]),
    ("Currency", lambda grant: grant["currency"]),
    ("Amount Awarded", lambda grant: grant["amountAwarded"]),
    ("Award Date", lambda grant: grant["awardDate"]),
    ("Recipient Org:Identifier", lambda grant: grant["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda grant: grant["recipientOrganization"][0]["name"]),
    (
        "Recipient Org:Street Address",
        lambda grant: grant["recipientOrganization"][0].get("streetAddress", ""),
    ),
    ("Recipient Org:City", lambda grant: grant["recipientOrganization"][0].get("addressLocality", "")),
    ("Recipient Org:Postal Code", lambda grant: grant["recipientOrganization"][0].get("postalCode", "")),
    ("Recipient Org:Country", lambda grant: grant["recipientOrganization"][0].get("addressCountry", "")),
    ("Funding Org:Identifier", lambda grant: grant["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda grant: grant["fundingOrganization"][0]["name"]),
]


class NothingToPublish(Exception):
    """The council made no awards that year, and a 360Giving file must hold at least one grant."""


@dataclass
class SchoolYear:
    """What one school was awarded in one academic year, summed over its awards."""

    school: School
    committed_pence: int = 0
    awards: int = 0
    first_decided_on: datetime.date | None = None
    clusters: list[Cluster] = field(default_factory=list)


@dataclass(frozen=True)
class YearOfGrants:
    """One academic year the council has published grants for: how many schools, and the total."""

    academic_year: AcademicYear
    schools: int
    total_pence: int


def giving_prefix(council: Council) -> str:
    """The council's 360Giving prefix for grant identifiers, or the service's own until it registers one."""
    return council.giving_prefix or FALLBACK_PREFIX


def funding_org_id(council: Council) -> str:
    """The council's organisation identifier (such as GB-LAE-KIR), or, until it sets one, an identifier
    under its 360Giving prefix: guessing a register's code would publish a wrong one."""
    return council.giving_org_id or f"{giving_prefix(council)}-{council.slug}"


def licence_name(url: str) -> str:
    """The licence's name for people, where it is one we know; otherwise its address."""
    return LICENCE_NAMES.get(url, url)


def find_council(code: str) -> Council | None:
    """The council with this slug ('kirklees') or DfE local authority code ('382')."""
    code = code.strip()
    if whole_number(code) is not None:
        return Council.objects.filter(la_code=whole_number(code)).first()
    return Council.objects.filter(slug=code.lower()).first()


def find_academic_year(council: Council, name: str) -> AcademicYear | None:
    """The council's academic year written as '2025/26' (or '2025-26', or its first year, '2025')."""
    first, _, second = name.strip().replace("-", "/").partition("/")
    if whole_number(first) is None or (second and whole_number(second) is None):
        return None
    year = AcademicYear.objects.filter(council=council, start_year=whole_number(first)).first()
    if year is None or (second and year.name != f"{first}/{second}"):
        return None
    return year


def _committed_by(entries, *fields):
    """The pence committed (after variations and releases) for each combination of `fields`, as
    `award_amounts` counts them, in one query."""
    rows = (
        entries.order_by()
        .values(*fields)
        .annotate(committed=Sum("amount_pence", filter=Q(entry_type__in=COMMITMENT_TYPES), default=0))
    )
    return {tuple(row[name] for name in fields): row["committed"] for row in rows}


def years_of_grants(council: Council) -> list[YearOfGrants]:
    """Each academic year the council has grants to publish, newest first, in two queries."""
    committed = _committed_by(
        LedgerEntry.objects.filter(award__pot__council=council),
        "award__pot__academic_year",
        "award__payee_school",
    )
    schools: dict[int, int] = {}
    totals: dict[int, int] = {}
    for (year_id, _school_id), pence in committed.items():
        if pence > 0:
            schools[year_id] = schools.get(year_id, 0) + 1
            totals[year_id] = totals.get(year_id, 0) + pence
    years = AcademicYear.objects.filter(pk__in=schools).order_by("-start_year")
    return [YearOfGrants(year, schools[year.pk], totals[year.pk]) for year in years]


def school_years(council: Council, academic_year: AcademicYear) -> list[SchoolYear]:
    """What each school was awarded from the council's pots for that year, by school name. A school whose
    awards were all released before anything was paid has nothing to publish and is left out."""
    awards = (
        Award.objects.filter(pot__council=council, pot__academic_year=academic_year)
        .select_related("payee_school", "pot__cluster")
        .order_by("decided_on", "pk")
    )
    committed = _committed_by(LedgerEntry.objects.filter(award__in=awards), "award")
    by_school: dict[int, SchoolYear] = {}
    for award in awards:
        pence = committed.get((award.pk,), 0)
        if pence <= 0:
            continue
        summary = by_school.setdefault(award.payee_school_id, SchoolYear(school=award.payee_school))
        summary.committed_pence += pence
        summary.awards += 1
        summary.first_decided_on = summary.first_decided_on or award.decided_on
        cluster = award.pot.cluster
        if cluster is not None and cluster not in summary.clusters:
            summary.clusters.append(cluster)
    return sorted(by_school.values(), key=lambda summary: (summary.school.name, summary.school.urn or 0))


def _year_slug(academic_year: AcademicYear) -> str:
    return academic_year.name.replace("/", "-")


def _recipient(council: Council, school: School) -> dict:
    identifier = f"GB-EDU-{school.urn}" if school.urn else f"{giving_prefix(council)}-school-{school.pk}"
    recipient = {"id": identifier, "name": school.name}
    street = ", ".join(part for part in (school.street, school.locality) if part)
    for key, value in (
        ("streetAddress", street),
        ("addressLocality", school.town),
        ("postalCode", school.postcode),
    ):
        if value:
            recipient[key] = value
    recipient["addressCountry"] = "United Kingdom"
    return recipient


def _description(council: Council, academic_year: AcademicYear, summary: SchoolYear) -> str:
    clusters = " and ".join(cluster.name for cluster in summary.clusters) or "its cluster"
    return (
        f"High Needs funding from {council.name} for special educational needs support at "
        f"{summary.school.name} in the {academic_year.name} academic year, shared out by {clusters}, whose "
        f"schools decide together how to use it. The amount is the sum of the school's awards that "
        "year, after any changes."
    )


def _grant(council: Council, academic_year: AcademicYear, summary: SchoolYear) -> dict:
    school = summary.school
    suffix = str(school.urn) if school.urn else f"school-{school.pk}"
    grant = {
        "id": f"{giving_prefix(council)}-{council.slug}-{_year_slug(academic_year)}-{suffix}",
        "title": f"SEND cluster funding for {school.name}, {academic_year.name}",
        "description": _description(council, academic_year, summary),
        "currency": "GBP",
        "amountAwarded": pounds_value(summary.committed_pence),
        "awardDate": summary.first_decided_on.isoformat(),
        "recipientOrganization": [_recipient(council, school)],
        "fundingOrganization": [{"id": funding_org_id(council), "name": council.name}],
    }
    if summary.clusters:
        grant["grantProgramme"] = [
            {"code": f"{council.slug}-{cluster.slug}", "title": cluster.name} for cluster in summary.clusters
        ]
    return grant


def grants_package(
    *,
    council: Council,
    academic_year: AcademicYear,
    issued: datetime.date | None = None,
    access_url: str = "",
    download_url: str = "",
) -> dict:
    """The council's grants for that academic year as a 360Giving 1.4 package: `{"grants": [...], ...}`
    with its licence, publisher and version. Amounts are exact `Decimal` pounds; `package_json` writes them
    as JSON numbers with two decimals. Raises `NothingToPublish` when there are no grants."""
    grants = [_grant(council, academic_year, summary) for summary in school_years(council, academic_year)]
    if not grants:
        raise NothingToPublish(f"{council.name} made no awards in {academic_year.name}.")
    package = {
        "version": GIVING_VERSION,
        "title": f"{council.name} SEND cluster funding {academic_year.name}",
        "description": (
            f"High Needs money {council.name} gave schools through its SEND clusters in the "
            f"{academic_year.name} academic year: one grant per school, the sum of its awards after any "
            "changes, in pounds. No pupil is named or counted."
        ),
        "identifier": f"{giving_prefix(council)}-{council.slug}-{_year_slug(academic_year)}",
        "issued": (issued or datetime.date.today()).isoformat(),
        "publisher": {"name": council.name, "identifier": funding_org_id(council)},
        "license": council.open_data_licence,
        "grants": grants,
    }
    if access_url:
        package["accessURL"] = access_url
    if download_url:
        package["downloadURL"] = download_url
    return package


# Amounts are written as exact JSON numbers with two decimals (1234.50), never through a float: the encoder
# marks each as a string that no text can be (JSON escapes the NUL), and the mark is then unquoted.
_POUNDS_MARK = "\x00pounds:"
_MARKED_POUNDS = re.compile(r'"\\u0000pounds:(-?\d+\.\d{2})"')


def _pounds_marked(value):
    if isinstance(value, Decimal):
        return f"{_POUNDS_MARK}{value:.2f}"
    raise TypeError(f"{type(value).__name__} is not JSON")


def package_json(package: dict) -> str:
    """The package as 360Giving JSON text, amounts as numbers of pounds with two decimals."""
    text = json.dumps(package, default=_pounds_marked, ensure_ascii=False, indent=2)
    return _MARKED_POUNDS.sub(r"\1", text) + "\n"


def grants_csv(package: dict) -> str:
    """The package's grants as the standard's flat CSV: one row per grant, its columns titled as the schema
    titles them."""
    programmes = max(len(grant.get("grantProgramme", [])) for grant in package["grants"])
    head = [title for title, _ in CSV_COLUMNS]
    for number in range(programmes):
        infix = "" if number == 0 else f"{number}:"
        head += [f"Grant Programme:{infix}Code", f"Grant Programme:{infix}Title"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(head)
    for grant in package["grants"]:
        row = [value(grant) for _, value in CSV_COLUMNS]
        listed = grant.get("grantProgramme", [])
        for number in range(programmes):
            row += [listed[number]["code"], listed[number]["title"]] if number < len(listed) else ["", ""]
        writer.writerow(row)
    return text.getvalue()
