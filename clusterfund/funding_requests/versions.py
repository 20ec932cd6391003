"""A request as it stands, written down so that two versions can be compared field by field.

The snapshot holds what a reader of the request sees — text, dates, pounds, pupils' references — never
pupils' names, so a version can be shown to everyone who may see the request.
"""

from clusterfund.core.formatting import long_date, pounds
from clusterfund.funding_requests.models import FundingRequest

LABELS = {
    "title": "Title",
    "meeting": "Meeting that hears it",
    "need": "The need",
    "primary_area": "Main area of need",
    "other_areas": "Other areas of need",
    "pupils": "Pupils",
    "children_benefiting": "Number of children who benefit",
    "benefiting_schools": "Schools that benefit",
    "joint_schools": "Joint schools",
    "assessed": "What was assessed",
    "planned": "What was planned",
    "done": "What was done, and for how long",
    "reviewed": "What changed",
    "advice_received": "Advice already received",
    "outcomes": "Outcomes",
    "provision": "Costed provision",
    "amount_asked": "Amount asked for",
    "start_date": "Start date",
    "end_date": "End date",
    "consent": "Parent or carer agreement",
    "attachments": "Attachments",
}


def snapshot(funding_request: FundingRequest) -> dict:
    """Everything a reader sees in the request, as plain strings and lists of strings."""
    fr = funding_request
    lines = list(fr.provision_lines.select_related("term__academic_year"))
    consent = ""
    if fr.consent_date:
        consent = f"{long_date(fr.consent_date)}, {fr.get_consent_method_display().lower()}"
    return {
        "title": fr.title,
        "meeting": "The next city meeting" if fr.to_city_meeting else "The cluster's next meeting",
        "need": fr.need,
        "primary_area": fr.get_primary_area_display() if fr.primary_area else "",
        "other_areas": fr.other_area_labels,
        "pupils": sorted(pupil.reference for pupil in fr.pupils.all()),
        "children_benefiting": "" if fr.children_benefiting is None else str(fr.children_benefiting),
        "benefiting_schools": sorted(school.name for school in fr.benefiting_schools.all()),
        "joint_schools": [
            f"{joint.school.name} ({joint.get_answer_display().lower()}{_joint_consent(joint)})"
            for joint in fr.joint_schools.select_related("school")
        ],
        "assessed": fr.assessed,
        "planned": fr.planned,
        "done": fr.done,
        "reviewed": fr.reviewed,
        "advice_received": fr.advice_received,
        "outcomes": [
            f"{outcome.what} — by {long_date(outcome.by_when)}, measured by: {outcome.how_measured}"
            for outcome in fr.outcomes.all()
        ],
        "provision": [
            f"{line.what} ({line.provider}): {line.units_text} × {pounds(line.unit_cost_pence)}"
            f" = {pounds(line.total_pence)}, {line.term}"
            for line in lines
        ],
        "amount_asked": pounds(sum(line.total_pence for line in lines)),
        "start_date": long_date(fr.start_date) if fr.start_date else "",
        "end_date": long_date(fr.end_date) if fr.end_date else "",
        "consent": consent,
        "attachments": [attachment.original_name for attachment in fr.attachments.all()],
    }


def _joint_consent(joint) -> str:
    if not joint.consent_date:
        return ""
    method = joint.get_consent_method_display().lower()
    return f"; its pupils' parents or carers agreed {long_date(joint.consent_date)}, {method}"


def differences(before: dict, after: dict) -> list[dict]:
    """What changed between two snapshots, in the order of the form."""
    return [
        {"field": key, "label": LABELS.get(key, key), "before": before.get(key), "after": after.get(key)}
        for key in LABELS
        if before.get(key) != after.get(key)
    ]
