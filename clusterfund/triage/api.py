"""Blind papers through the JSON API: the same paper the pages show, under the same permissions."""

from django.urls import reverse
from ninja import Router

from clusterfund.core.access import allow_or_404
from clusterfund.core.api import READ_ERRORS, caller
from clusterfund.funding_requests import selectors as request_selectors
from clusterfund.funding_requests import services as request_services
from clusterfund.triage import papers, permissions
from clusterfund.triage.schemas import PaperOut

router = Router(tags=["Blind papers"])


@router.get(
    "/{int:request_id}", response={200: PaperOut, **READ_ERRORS}, url_name="paper", summary="Read a paper"
)
def read_paper(request, request_id: int):
    """A request as a blind meeting reads it: under its reference code, with schools, staff, pupils and places
    redacted from every field and documents withheld unless the school marked them anonymised. Anyone who
    may see the request may read its paper; each read is audited."""
    user = caller(request)
    fr = request_selectors.request_for_page(user, request_id)
    allow_or_404(fr is not None and permissions.can_read_request(user, fr))
    request_services.record_request_viewed(funding_request=fr, acting_user=user)
    paper = papers.paper_for(fr)
    return PaperOut(
        id=fr.pk,
        reference=fr.reference,
        request_type=fr.request_type,
        status=fr.status,
        is_urgent=fr.is_urgent,
        areas=paper.areas,
        pupils=paper.pupils,
        schools_taking_part=paper.schools_taking_part,
        start_date=fr.start_date,
        end_date=fr.end_date,
        texts=[
            {"field": t.key, "label": t.label, "text": t.text, "reworded": t.reworded} for t in paper.texts
        ],
        outcomes=paper.outcomes,
        provision_lines=[{**line, "term": line["term"].get_season_display()} for line in paper.lines],
        amount_asked_pence=sum(line["total_pence"] for line in paper.lines),
        documents=[
            {
                "name": doc["name"],
                "description": doc["description"],
                "download_url": reverse("funding_requests:download-attachment", args=[doc["token"]]),
            }
            for doc in paper.attachments
        ],
        withheld_documents=paper.withheld_attachments,
    )
