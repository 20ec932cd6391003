"""The meeting pack: the agenda, each request's paper (blind where the meeting is blind), the team's
recommendation and scores, the money available and the rules of the vote, as a page and as a PDF."""

import io
import socket

import pytest
import weasyprint
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clusterfund.accounts.models import RoleAssignment
from clusterfund.audit.models import AuditEvent
from clusterfund.core.formatting import pounds
from clusterfund.core.pdf import ORIGIN, StaticFilesOnly
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.meetings import services
from clusterfund.meetings.models import AgendaItem, Meeting
from clusterfund.meetings.pack import meeting_pack
from clusterfund.meetings.permissions import voting_school_ids
from clusterfund.money.selectors import cluster_pots
from clusterfund.organisations.models import School
from clusterfund.triage.papers import paper_for
from clusterfund.triage.selectors import score_summary

K_CLUSTER_ADMIN, K_BIRKBY, K_ST_THOMAS = (
    "cluster14.admin@kirklees.example",
    "senco.birkbyjunior@kirklees.example",
    "senco.stthomas@kirklees.example",
)
S_ADMIN, S_CHAIR, S_ETRUSCAN = (
    "central.admin@stoke.example",
    "locality.lead@stoke.example",
    "senco.etruscan@stoke.example",
)


def _frozen(slug, user_by_email, admin):
    """The cluster's meeting that hears the demo's requests ready for a meeting, its agenda built and
    frozen by the cluster's admin."""
    meeting = (
        Meeting.objects.filter(cluster__slug=slug, requests__status="ready_for_meeting")
        .distinct()
        .order_by("held_on")
        .first()
    )
    services.build_agenda(meeting=meeting, acting_user=user_by_email(admin))
    services.freeze_agenda(meeting=meeting, acting_user=user_by_email(admin))
    meeting.refresh_from_db()
    return meeting


def _urls(meeting):
    args = [meeting.cluster_id, meeting.pk]
    return reverse("meetings:pack", args=args), reverse("meetings:pack_pdf", args=args)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _words(html: str) -> str:
    return " ".join(html.replace("&#39;", "'").replace("&amp;", "&").split())


def test_the_pack_shows_the_agenda_papers_recommendation_money_rules_and_lot(
    db, user_by_email, signed_in_client
):
    meeting = _frozen("cluster-14", user_by_email, K_CLUSTER_ADMIN)
    items = list(meeting.items.select_related("funding_request__lead_school").order_by("position"))
    page_url, pdf_url = _urls(meeting)
    page = _words(signed_in_client(K_BIRKBY).get(page_url).content.decode())
    for item in items:
        fr = item.funding_request
        assert fr.reference in page and fr.title in page and pounds(item.amount_pence) in page
        assert fr.lead_school.name in page  # a named meeting names the lead school
        assert fr.need.split("\n")[0] in page
    decided = next(i.funding_request for i in items if i.funding_request.triage_decisions.exists())
    decision = decided.triage_decisions.filter(outcome="ready_for_meeting").first()
    assert decision.recommendation.split("\n")[0] in page
    for summary in score_summary(decided):
        assert summary.criterion.name in page
    pots = cluster_pots(meeting.cluster, meeting.academic_year)
    assert pounds(pots["main"].balances["available"]) in page
    assert pounds(pots["contingency"].balances["available"]) in page
    assert "Method of Equal Shares" in page and "Add1" in page and "£1 larger" in page
    assert "the one that costs less comes first; then the one with more support" in page
    lot = " ".join(f"<li>{reference}</li>" for reference in meeting.lot)
    assert lot in page  # the lot in its drawn order
    needed = -(-len(voting_school_ids(meeting)) * meeting.cluster.council.quorum_percent // 100)
    assert f"at least {meeting.cluster.council.quorum_percent}% of the 11 member schools" in page
    assert f"present: {needed} schools" in page
    # In a named meeting each item says which schools do not vote on it: the ones that asked.
    assert "Schools that do not vote on it" in page
    assert AuditEvent.objects.filter(action="meeting.pack_viewed", object_id=str(meeting.pk)).exists()


def test_the_pack_is_a_real_pdf_with_the_same_contents(db, user_by_email, signed_in_client):
    meeting = _frozen("cluster-14", user_by_email, K_CLUSTER_ADMIN)
    response = signed_in_client(K_BIRKBY).get(_urls(meeting)[1])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="meeting-pack-cluster-14-')
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    for item in meeting.items.select_related("funding_request__lead_school"):
        assert item.funding_request.reference in text
        assert item.funding_request.lead_school.name in text
    assert "Method of Equal Shares" in text and "Page 1 of" in text
    assert AuditEvent.objects.filter(action="meeting.pack_downloaded", object_id=str(meeting.pk)).exists()


def test_a_blind_pack_names_no_school_on_the_page_or_in_the_pdf(db, user_by_email, signed_in_client):
    meeting = Meeting.objects.filter(
        cluster__slug="central-cluster", requests__status="ready_for_meeting"
    ).first()
    ready = FundingRequest.objects.filter(meeting=meeting, status="ready_for_meeting").select_related(
        "lead_school"
    )
    # The schools write their own names and a neighbour's into their papers: the pack still hides them.
    for fr in ready:
        FundingRequest.objects.filter(pk=fr.pk).update(
            need=f"{fr.need}\nDiscussed with {fr.lead_school.name} staff and at Etruscan Primary School."
        )
    meeting = _frozen("central-cluster", user_by_email, S_ADMIN)
    assert meeting.is_blind
    references = list(meeting.items.values_list("funding_request__reference", flat=True))
    schools = list(School.objects.filter(council=meeting.cluster.council).values_list("name", flat=True))
    page_url, pdf_url = _urls(meeting)
    for email in (S_CHAIR, S_ETRUSCAN):
        client = signed_in_client(email)
        page = _words(client.get(page_url).content.decode())
        own = set(
            RoleAssignment.objects.filter(user__email=email, school__isnull=False).values_list(
                "school__name", flat=True
            )
        )
        assert all(reference in page for reference in references)
        assert "Some schools are not eligible to vote on some items." in page
        assert "Lead school" not in page and "Schools that do not vote on it" not in page
        named = [name for name in schools if name in page and name not in own]
        assert named == [], f"{email} sees {named}"
        text = _pdf_text(client.get(pdf_url).content)
        assert all(reference in text for reference in references)
        assert [name for name in schools if name in text] == []
        assert "[school]" in text


def test_a_blind_packs_papers_are_the_papers_the_schools_previewed(db, user_by_email):
    meeting = _frozen("central-cluster", user_by_email, S_ADMIN)
    pack = meeting_pack(meeting)
    assert pack.is_blind and pack.items
    for item in pack.items:
        fr = item.paper.funding_request
        assert item.paper == paper_for(fr)
        assert item.scores == score_summary(fr)
        assert item.lead_school == "" and item.not_voting == []


def test_the_same_pack_for_every_member_including_the_school_that_asked(db, user_by_email, signed_in_client):
    meeting = _frozen("cluster-14", user_by_email, K_CLUSTER_ADMIN)
    page_url, _ = _urls(meeting)
    assert meeting.items.filter(funding_request__lead_school__urn=151801).exists()
    assert signed_in_client(K_ST_THOMAS).get(page_url).status_code == 200


def test_someone_of_another_cluster_or_council_gets_404(db, user_by_email, signed_in_client):
    kirklees = _frozen("cluster-14", user_by_email, K_CLUSTER_ADMIN)
    stoke = _frozen("central-cluster", user_by_email, S_ADMIN)
    for url in _urls(kirklees):
        assert signed_in_client(S_ETRUSCAN).get(url).status_code == 404
    for url in _urls(stoke):
        assert signed_in_client(K_BIRKBY).get(url).status_code == 404
    # A meeting of another cluster, asked for under a cluster the person may see.
    mixed = reverse("meetings:pack", args=[kirklees.cluster_id, stoke.pk])
    assert signed_in_client(K_BIRKBY).get(mixed).status_code == 404


def test_before_the_agenda_is_frozen_the_page_says_when_the_pack_is_ready(db, signed_in_client):
    meeting = Meeting.objects.filter(cluster__slug="cluster-14", frozen_at=None, status="planned").first()
    page_url, pdf_url = _urls(meeting)
    client = signed_in_client(K_BIRKBY)
    assert "The pack is ready when the agenda is frozen" in client.get(page_url).content.decode()
    response = client.get(pdf_url)
    assert response.status_code == 302 and response["Location"] == page_url
    assert not AuditEvent.objects.filter(
        action__startswith="meeting.pack_", object_id=str(meeting.pk)
    ).exists()


def _meeting_with(count, *, slug, blind):
    """A frozen meeting whose agenda holds `count` of the cluster's submitted requests (joint ones and ones
    with documents among them), made directly, for counting queries."""
    template = Meeting.objects.filter(cluster__slug=slug).first()
    meeting = Meeting.objects.create(
        cluster=template.cluster,
        academic_year=template.academic_year,
        held_on=template.held_on,
        paper_deadline=template.paper_deadline,
        place="Online",
        frozen_at=timezone.now(),
        is_blind=blind,
    )
    requests = list(
        FundingRequest.objects.filter(cluster=template.cluster).exclude(status="draft").order_by("pk")[:count]
    )
    assert len(requests) == count
    voters = sorted(voting_school_ids(meeting))
    for position, fr in enumerate(requests, start=1):
        AgendaItem.objects.create(
            meeting=meeting,
            funding_request=fr,
            position=position,
            amount_pence=10_000 * position,
            eligible_school_ids=[pk for pk in voters if pk != fr.lead_school_id],
        )
    meeting.lot = [fr.reference for fr in reversed(requests)]
    meeting.save(update_fields=["lot"])
    return Meeting.objects.select_related("cluster__council", "academic_year", "chair").get(pk=meeting.pk)


@pytest.mark.parametrize(("slug", "blind"), [("cluster-14", False), ("central-cluster", True)])
def test_the_pack_takes_the_same_number_of_queries_however_long_the_agenda(db, slug, blind):
    counts = []
    for count in (2, 6):
        meeting = _meeting_with(count, slug=slug, blind=blind)
        with CaptureQueriesContext(connection) as queries:
            pack = meeting_pack(meeting)
            for item in pack.items:  # everything the templates read
                item.paper.funding_request.get_request_type_display()
                [line["term"].get_season_display() for line in item.paper.lines]
                [summary.criterion.name for summary in item.scores]
        assert len(pack.items) == count
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_page_takes_the_same_number_of_queries_however_long_the_agenda(db, signed_in_client):
    client = signed_in_client(K_CLUSTER_ADMIN)
    counts = []
    for count in (2, 6):
        meeting = _meeting_with(count, slug="cluster-14", blind=False)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_urls(meeting)[0]).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# The PDF never reaches outside the machine


def test_the_pdf_fetcher_serves_only_local_static_files():
    assert StaticFilesOnly.static_path(f"{ORIGIN}/static/clusterfund/app.css").name == "app.css"
    for refused in (
        "https://example.com/static/clusterfund/app.css",
        "http://pdf.clusterfund.invalid/static/clusterfund/app.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        f"{ORIGIN}/static/../settings.py",
        f"{ORIGIN}/static/%2e%2e/settings.py",
        f"{ORIGIN}/static/clusterfund/missing.css",
        f"{ORIGIN}/private/secret.pdf",
    ):
        assert StaticFilesOnly.static_path(refused) is None, refused
        with pytest.raises(ValueError):
            StaticFilesOnly().fetch(refused)


def test_rendering_a_pdf_opens_no_connection_whatever_the_html_asks_for(monkeypatch):
    opened = []
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: opened.append(args))
    monkeypatch.setattr(socket.socket, "connect", lambda self, *args: opened.append(args))
    html = (
        '<link rel="stylesheet" href="https://example.com/x.css"><img src="http://example.com/a.png">'
        '<img src="file:///etc/hostname"><link rel="stylesheet" href="/static/clusterfund/app.css">'
        "<p>Hello</p>"
    )
    content = weasyprint.HTML(string=html, base_url=f"{ORIGIN}/", url_fetcher=StaticFilesOnly()).write_pdf()
    assert content.startswith(b"%PDF-") and opened == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pack_pages_are_accessible(live_server, page, user_by_email):
    from clusterfund.core.tests.browser import check_accessibility
    from clusterfund.demo.loader import DEMO_PASSWORD, load_demo

    load_demo()
    meeting = _frozen("central-cluster", user_by_email, S_ADMIN)
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(S_CHAIR)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + reverse("meetings:list", args=[meeting.cluster_id]))
    page.get_by_role("link", name=f"Meeting pack for the meeting on {meeting.held_on.day}").first.click()
    assert page.locator("h1").inner_text().startswith("Meeting pack")
    check_accessibility(page)
    planned = Meeting.objects.filter(cluster=meeting.cluster, frozen_at=None, status="planned").first()
    page.goto(live_server.url + _urls(planned)[0])
    assert "ready when the agenda is frozen" in page.locator("main").inner_text()
    check_accessibility(page)
