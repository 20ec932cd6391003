"""The meeting pack, as a page and as a PDF to download, for everyone who may see the cluster's meetings."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from clusterfund.core.access import allow_or_404, signed_in
from clusterfund.core.pdf import pdf_response, render_pdf
from clusterfund.meetings import pack as packs
from clusterfund.meetings import permissions, selectors
from clusterfund.organisations.selectors import clusters_visible_to


def _meeting_for(request, cluster_pk, pk):
    """The meeting, for someone who may see the cluster's meetings; anyone else gets 404."""
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(permissions.can_view_meetings(request.user, cluster))
    meeting = selectors.meeting_of(cluster, pk)
    allow_or_404(meeting is not None)
    meeting.cluster = cluster
    return meeting


def _is_ready(meeting) -> bool:
    return meeting.is_frozen and not meeting.is_cancelled


def _title(meeting) -> str:
    return (
        f"Meeting pack: {meeting.get_kind_display().lower()}, {meeting.held_on.day} {meeting.held_on:%B %Y}"
    )


@signed_in("can_view_meetings")
def pack(request, cluster_pk, pk):
    """The pack once the agenda is frozen; until then, a page that says when it will be ready."""
    meeting = _meeting_for(request, cluster_pk, pk)
    context = {
        "page_title": _title(meeting),
        "meeting": meeting,
        "cluster": meeting.cluster,
        "pack": None,
        "back_link": reverse("meetings:list", args=[meeting.cluster.pk]),
    }
    if _is_ready(meeting):
        context["pack"] = packs.meeting_pack(meeting)
        packs.record_pack_read(meeting=meeting, as_pdf=False, acting_user=request.user)
    return render(request, "meetings/pack.html", context)


@signed_in("can_view_meetings")
def pack_pdf(request, cluster_pk, pk):
    """The pack as an A4 PDF. Before the agenda is frozen there is none: back to the page that says so."""
    meeting = _meeting_for(request, cluster_pk, pk)
    if not _is_ready(meeting):
        return redirect("meetings:pack", meeting.cluster.pk, meeting.pk)
    content = render_pdf(
        "meetings/pack_pdf.html",
        {"page_title": _title(meeting), "pack": packs.meeting_pack(meeting)},
        request=request,
    )
    packs.record_pack_read(meeting=meeting, as_pdf=True, acting_user=request.user)
    return pdf_response(content, f"meeting-pack-{meeting.cluster.slug}-{meeting.held_on.isoformat()}.pdf")
