"""A pupil's evidence pack, as a page and as a PDF to attach to a request for an EHC needs assessment:
for the pupil's own school's staff and the council's SEND team only. Everyone else gets 404."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from clusterfund.core.access import allow_or_404, signed_in
from clusterfund.core.pdf import PLAIN_CSS, pdf_response, render_pdf
from clusterfund.delivery import evidence
from clusterfund.pupils.permissions import can_see_pupil_name, can_view_pupils_of_school
from clusterfund.pupils.selectors import pupils_visible_to


def _pupil_for(request, pupil_pk):
    """The pupil, for their school's staff and their council's SEND team: the pupils' own rule. Auditors,
    cluster admins and the Team Around the Cluster do not see pupils' records, so get 404 like anyone."""
    pupil = get_object_or_404(pupils_visible_to(request.user), pk=pupil_pk)
    allow_or_404(can_view_pupils_of_school(request.user, pupil.school))
    return pupil


def _may_add_name(user, pupil) -> bool:
    """Only the pupil's own school's staff may put the name in the PDF, and only if one is recorded."""
    return bool(pupil.name) and can_see_pupil_name(user, pupil)


def _title(pupil) -> str:
    return f"Evidence pack for pupil {pupil.reference}"


@signed_in("can_view_pupils_of_school")
def evidence_pack(request, pupil_pk):
    """The pack as a page, always by the pupil's reference, with the form to download it as a PDF."""
    pupil = _pupil_for(request, pupil_pk)
    pack = evidence.evidence_pack(pupil)
    evidence.record_evidence_pack_read(pupil=pupil, as_pdf=False, with_name=False, acting_user=request.user)
    return render(
        request,
        "delivery/evidence_pack.html",
        {
            "page_title": _title(pupil),
            "pupil": pupil,
            "pack": pack,
            "may_add_name": _may_add_name(request.user, pupil),
            "back_link": reverse("pupils:pupil", args=[pupil.pk]),
        },
    )


@signed_in("can_view_pupils_of_school")
def evidence_pack_pdf(request, pupil_pk):
    """The pack as an A4 PDF. `?name=yes` adds the pupil's name, for the pupil's own school's staff only;
    for anyone else it stays pseudonymous."""
    pupil = _pupil_for(request, pupil_pk)
    with_name = request.GET.get("name") == "yes" and _may_add_name(request.user, pupil)
    pack = evidence.evidence_pack(pupil, include_name=with_name)
    content = render_pdf(
        "delivery/evidence_pack_pdf.html",
        {"page_title": _title(pupil), "pack": pack},
        request=request,
        stylesheet=PLAIN_CSS,
    )
    evidence.record_evidence_pack_read(
        pupil=pupil, as_pdf=True, with_name=with_name, acting_user=request.user
    )
    return pdf_response(content, f"evidence-pack-{pupil.reference}-{pack.made_on.isoformat()}.pdf")
