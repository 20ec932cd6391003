"""The evidence pack: a pupil's needs and EHC status, requests with their graduated approach and outcomes,
advice, decisions, awards and payments, support and reviews, in date order, as a page and a PDF, for the
pupil's own school and the council's SEND team only, and pseudonymous unless the school adds the name."""

import datetime
import io
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clusterfund.accounts.models import User
from clusterfund.audit.models import AuditEvent
from clusterfund.core.formatting import long_date, pounds
from clusterfund.core.tests.browser import check_accessibility
from clusterfund.delivery import services as delivery
from clusterfund.delivery.evidence import Kind, evidence_pack
from clusterfund.demo.loader import DEMO_PASSWORD, load_demo
from clusterfund.funding_requests import services as requests
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.funding_requests.tests.builders import (
    complete_individual_request,
    complete_joint_group_request,
)
from clusterfund.meetings.models import AgendaItem, ItemOutcome
from clusterfund.money import services as money
from clusterfund.organisations.models import School, TeamMember
from clusterfund.pupils import services as pupils
from clusterfund.pupils.models import EhcStatus, EhcStatusChange, Pupil
from clusterfund.pupils.needs import AreaOfNeed
from clusterfund.triage import services as triage
from clusterfund.triage.models import Criterion

ST_THOMAS, BIRKBY = 151801, 107626
K_SENCO, K_BIRKBY = "senco.stthomas@kirklees.example", "senco.birkbyjunior@kirklees.example"
K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
K_CLUSTER_ADMIN, K_CHAIR = "cluster14.admin@kirklees.example", "head.ashbrow@kirklees.example"
K_EP = "ep.cluster14@kirklees.example"
NAME = "Poppy Evidence-Testcase"
DAY = datetime.timedelta(days=1)


def _add_pupil(find):
    """A St Thomas pupil with a name, known to the school since 100 days ago, with no EHC plan."""
    added = pupils.add_pupil(
        school=School.objects.get(urn=ST_THOMAS),
        acting_user=find(K_SENCO),
        reference="ST-26-901",
        name=NAME,
        year_group="4",
        primary_area=AreaOfNeed.COGNITION_AND_LEARNING,
        secondary_areas=[AreaOfNeed.SOCIAL_EMOTIONAL_MENTAL_HEALTH],
        sen_type="SPLD",
        ehc_status=EhcStatus.NONE,
        ehc_status_since=None,
        free_school_meals=False,
        looked_after=False,
    )
    EhcStatusChange.objects.filter(pupil=added).update(changed_on=_ago(100))
    return Pupil.objects.select_related("school__council").get(pk=added.pk)


@pytest.fixture
def pupil(user_by_email):
    return _add_pupil(user_by_email)


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - days * DAY


def _submitted(fr, senco, days_ago: int):
    fr = requests.submit_request(funding_request=fr, acting_user=senco)
    FundingRequest.objects.filter(pk=fr.pk).update(submitted_at=timezone.now() - days_ago * DAY)
    fr.refresh_from_db()
    return fr


def _funded(fr, user_by_email, *, submitted: int, decided: int, paid: int, started: int, reviewed: int, step):
    """Take a draft through the cluster: submitted, triaged, approved, awarded what it asked for, partly paid,
    delivered and reviewed, each so many days ago."""
    senco, ep, admin = user_by_email(K_SENCO), user_by_email(K_EP), user_by_email(K_CLUSTER_ADMIN)
    fr = _submitted(fr, senco, submitted)
    triage.assign_members(funding_request=fr, members=[TeamMember.objects.get(user=ep)], acting_user=ep)
    scores = {c.pk: (2, "Fair") for c in Criterion.objects.filter(council=fr.council, is_active=True)}
    triage.score_request(funding_request=fr, scores=scores, acting_user=ep)
    asked = sum(line.total_pence for line in fr.provision_lines.all())
    triage.send_to_meeting(funding_request=fr, recommended_pence=asked, recommendation="Fund", acting_user=ep)
    fr = requests.move_request(funding_request=fr, target="approved", acting_user=admin)
    FundingRequest.objects.filter(pk=fr.pk).update(decided_on=_ago(decided))
    fr.refresh_from_db()
    award = money.make_award(
        funding_request=fr, amount_pence=asked, decided_on=_ago(decided), acting_user=admin
    )
    money.record_payment(award=award, amount_pence=asked // 2, paid_on=_ago(paid), note="", acting_user=admin)
    delivery.record_delivery(
        funding_request=fr,
        started_on=_ago(started),
        provider="commissioned",
        provider_name="Kirklees Speech and Language Service",
        acting_user=senco,
    )
    review = fr.impact_reviews.order_by("due_on").first()
    delivery.record_review(
        review=review,
        results={
            o.pk: ("partly_met", f"Re-screen for {fr.reference}: three-word sentences", "Needs more")
            for o in fr.outcomes.all()
        },
        next_step=step,
        notes=f"Reviewed with the parent of the pupil on {fr.reference}",
        children_supported=None,
        schools_benefited=[],
        acting_user=senco,
        done_on=_ago(reviewed),
    )
    fr.refresh_from_db()
    return fr, award


def _add_history(pupil, user_by_email):
    """The pupil's year: advice, a request funded, paid, delivered and reviewed, the review asking for an
    EHC needs assessment, and a later request. Also advice about another pupil, which is not theirs."""
    senco, ep = user_by_email(K_SENCO), user_by_email(K_EP)
    school = pupil.school
    triage.record_advice(
        school=school,
        pupils=[pupil],
        kind="visit",
        given_on=_ago(80),
        given_by="Specialist teacher for learning",
        advice="Use a visual timetable and pre-teach vocabulary.",
        acting_user=ep,
    )
    triage.record_advice(
        school=school,
        pupils=[Pupil.objects.get(reference="ST-23-042")],
        kind="consultation",
        given_on=_ago(75),
        given_by="Educational psychologist",
        advice="Advice about another child entirely.",
        acting_user=ep,
    )
    first, award = _funded(
        complete_individual_request(school, senco, pupil_reference=pupil.reference),
        user_by_email,
        submitted=70,
        decided=50,
        paid=20,
        started=45,
        reviewed=5,
        step="ehc_assessment",
    )
    triage.record_advice(
        school=school,
        pupils=[],
        kind="discussion",
        given_on=_ago(60),
        given_by="Team Around the Cluster",
        advice="Try precision teaching before the meeting.",
        acting_user=ep,
        funding_request=first,
    )
    later = _submitted(complete_individual_request(school, senco, pupil_reference=pupil.reference), senco, 0)
    pupil.refresh_from_db()
    return {"first": first, "award": award, "later": later}


@pytest.fixture
def history(pupil, user_by_email):
    return _add_history(pupil, user_by_email)


def test_every_entry_is_the_pupils_history_in_date_order(pupil, history):
    first, award, later = history["first"], history["award"], history["later"]
    pack = evidence_pack(pupil)
    summary = pack.pupil
    assert summary.reference == "ST-26-901" and summary.name == ""  # pseudonymous unless asked
    assert summary.areas_of_need == ("Cognition and learning", "Social, emotional and mental health")
    assert summary.year_group == "Year 4" and summary.ehc_status == "EHC needs assessment requested"
    assert summary.ehc_status_since == _ago(5)
    assert pack.requests == 2
    asked = sum(line.total_pence for line in first.provision_lines.all())
    assert pack.awarded_pence == asked

    seen = [(e.on, e.kind, e.reference) for e in pack.entries]
    assert seen == [
        (_ago(100), Kind.EHC_STATUS, ""),
        (_ago(80), Kind.ADVICE, ""),
        (_ago(70), Kind.REQUEST, first.reference),
        (_ago(60), Kind.ADVICE, first.reference),
        (_ago(50), Kind.DECISION, first.reference),
        (_ago(50), Kind.AWARD, first.reference),
        (_ago(45), Kind.DELIVERY, first.reference),
        (_ago(20), Kind.PAYMENT, first.reference),
        (_ago(5), Kind.REVIEW, first.reference),
        (_ago(5), Kind.EHC_STATUS, ""),
        (timezone.localdate(), Kind.REQUEST, later.reference),
    ]
    assert [e.on for e in pack.entries] == sorted(e.on for e in pack.entries)
    by_kind = {}
    for entry in pack.entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    details = {e.anchor: {d.label: d.text for d in e.details} for e in pack.entries}

    # The request with its graduated approach and outcomes.
    request = by_kind[Kind.REQUEST][0]
    assert request.heading == f"Request {first.reference} submitted: {first.title}"
    facts = details[request.anchor]
    for label, field in [
        ("What was assessed", "assessed"),
        ("What was planned", "planned"),
        ("What was done, and for how long", "done"),
        ("What changed", "reviewed"),
        ("Advice already received", "advice_received"),
        ("The need", "need"),
    ]:
        assert facts[label] == getattr(first, field)
    assert facts["Pupils"] == "ST-26-901" and facts["Amount asked for"] == pounds(asked)
    outcome = first.outcomes.get()
    assert [(o.what, o.by_when, o.how_measured) for o in request.outcomes] == [
        (outcome.what, outcome.by_when, outcome.how_measured)
    ]
    # The advice: about the pupil, and on their request; never the advice about another child.
    assert [e.heading for e in by_kind[Kind.ADVICE]] == [
        "Specialist teacher visit",
        "Solution-focused discussion",
    ]
    assert all("another child" not in e.details[-1].text for e in by_kind[Kind.ADVICE])
    # The decision, the award with its schedule, and the payment.
    assert by_kind[Kind.DECISION][0].heading == f"Request {first.reference}: funded"
    award_facts = details[by_kind[Kind.AWARD][0].anchor]
    assert award_facts["Amount awarded"] == pounds(asked)
    assert award_facts["Paid so far"] == pounds(asked // 2)
    assert award_facts["Payments due"] == "; ".join(
        f"{pounds(p.amount_pence)} due on {long_date(p.due_on)}" for p in award.schedule.all()
    )
    assert by_kind[Kind.PAYMENT][0].heading == f"Payment of {pounds(asked // 2)} on award {award.reference}"
    # The support and its review, highlighted because it asks for an EHC needs assessment.
    assert details[by_kind[Kind.DELIVERY][0].anchor]["Provided by"] == (
        "A commissioned service: Kirklees Speech and Language Service"
    )
    review = by_kind[Kind.REVIEW][0]
    assert review.highlighted
    assert details[review.anchor]["What happens next"] == "Request an EHC needs assessment"
    assert [(o.what, o.result, o.evidence, o.notes) for o in review.outcomes] == [
        (outcome.what, "Partly met", f"Re-screen for {first.reference}: three-word sentences", "Needs more")
    ]
    # The EHC status the review set is in the pupil's history, and the later request points back to it.
    requested = by_kind[Kind.EHC_STATUS][1]
    assert requested.heading == "EHC needs assessment requested" and requested.highlighted
    assert details[requested.anchor]["Following"] == f"the review of request {first.reference}"
    assert by_kind[Kind.REQUEST][0].see_also == ()
    (link,) = by_kind[Kind.REQUEST][1].see_also
    assert link.anchor == requested.anchor and long_date(_ago(5)) in link.text


def test_a_group_request_names_only_this_pupil(pupil, user_by_email):
    senco = user_by_email(K_SENCO)
    draft = complete_joint_group_request(
        pupil.school,
        senco,
        joining=School.objects.get(urn=BIRKBY),
        joining_senco=user_by_email(K_BIRKBY),
        pupil_reference="BJ-0311",
    )
    requests.choose_pupils(
        funding_request=draft, pupils=[pupil, Pupil.objects.get(reference="ST-23-042")], acting_user=senco
    )
    requests.record_consent(
        funding_request=draft, consent_date=_ago(2), consent_method="signed_form", acting_user=senco
    )
    _submitted(draft, senco, 1)
    (entry,) = [e for e in evidence_pack(pupil).entries if e.kind == Kind.REQUEST]
    assert {d.label: d.text for d in entry.details}["Pupils"] == "ST-26-901 and 2 other pupils"
    words = repr(evidence_pack(pupil, include_name=True))
    for other in ("ST-23-042", "Jayden Oldroyd", "BJ-0311", "Zain Akhtar"):
        assert other not in words


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _urls(pupil):
    return (
        reverse("delivery:evidence_pack", args=[pupil.pk]),
        reverse("delivery:evidence_pack_pdf", args=[pupil.pk]),
    )


def test_the_page_and_the_pdf_hold_every_entry(pupil, history, signed_in_client):
    first, later = history["first"], history["later"]
    page_url, pdf_url = _urls(pupil)
    client = signed_in_client(K_SENCO)
    page = client.get(page_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Download the PDF" in html and "Add the pupil&#39;s name to the PDF" in html
    assert NAME not in html
    pack = evidence_pack(pupil)
    for entry in pack.entries:
        assert f'id="{entry.anchor}"' in html
    assert f'href="#{pack.entries[-1].see_also[0].anchor}"' in html  # the later request links back

    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-pack-ST-26-901-')
    text = _pdf_text(response.content)
    assert "Evidence pack for pupil ST-26-901" in text and "Page 1 of" in text
    for fr in (first, later):
        assert f"Request {fr.reference} submitted" in text
    assert first.assessed in text and first.outcomes.get().what in text
    assert "Specialist teacher visit" in text and "Use a visual timetable" in text
    assert f"Award {first.reference}" in text and "Payment of" in text
    assert "Kirklees Speech and Language Service" in text
    assert "Request an EHC needs assessment" in text and "Partly met" in text
    assert "An EHC needs assessment was requested on" in text
    assert "another child" not in text
    assert NAME not in text

    events = AuditEvent.objects.filter(object_id=str(pupil.pk), object_type="pupils.Pupil")
    assert events.filter(action="pupil.evidence_pack_viewed").count() == 1
    downloaded = events.get(action="pupil.evidence_pack_downloaded")
    assert downloaded.after == {"name_included": False}


def test_the_name_is_in_the_pdf_only_when_the_school_adds_it(pupil, history, signed_in_client):
    _, pdf_url = _urls(pupil)
    school = signed_in_client(K_SENCO)
    assert NAME in _pdf_text(school.get(pdf_url, {"name": "yes"}).content)
    assert NAME not in _pdf_text(school.get(pdf_url).content)
    assert NAME not in _pdf_text(school.get(pdf_url, {"name": "no"}).content)
    events = AuditEvent.objects.filter(action="pupil.evidence_pack_downloaded", object_id=str(pupil.pk))
    assert sorted(e.after["name_included"] for e in events) == [False, False, True]
    assert not any(NAME in str(e.after) + e.object_repr for e in events)  # the audit never holds the name

    # The council's SEND team opens the pack, pseudonymous only: no option, and asking for it is ignored.
    council = signed_in_client(K_ADMIN)
    page_url, _ = _urls(pupil)
    html = council.get(page_url).content.decode()
    assert "Download the PDF" in html and "Add the pupil" not in html and NAME not in html
    response = council.get(pdf_url, {"name": "yes"})
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "ST-26-901" in text and NAME not in text


def test_no_name_option_when_the_pupil_has_no_name(signed_in_client):
    unnamed = Pupil.objects.get(reference="ST-25-003")
    assert unnamed.name == ""
    html = signed_in_client(K_SENCO).get(_urls(unnamed)[0]).content.decode()
    assert "Download the PDF" in html and "Add the pupil" not in html


@pytest.mark.parametrize("email", [K_BIRKBY, K_CLUSTER_ADMIN, K_CHAIR, K_EP, K_AUDITOR])
def test_nobody_else_opens_the_pack(pupil, email, signed_in_client):
    client = signed_in_client(email)
    for url in _urls(pupil):
        assert client.get(url).status_code == 404
        assert client.get(url, {"name": "yes"}).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="pupil.evidence_pack").exists()


def test_the_pack_takes_the_same_queries_for_two_requests_as_for_ten(pupil, user_by_email):
    school, senco = pupil.school, user_by_email(K_SENCO)

    def add(count):
        for _ in range(count):
            _funded(
                complete_individual_request(school, senco, pupil_reference=pupil.reference),
                user_by_email,
                submitted=30,
                decided=20,
                paid=10,
                started=15,
                reviewed=2,
                step="continue",
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            pack = evidence_pack(pupil)
        return len(captured), pack

    add(2)
    two, pack = queries()
    assert pack.requests == 2
    add(8)
    ten, pack = queries()
    assert pack.requests == 10 and len([e for e in pack.entries if e.kind == Kind.REVIEW]) == 10
    assert ten == two


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_is_accessible_and_downloads_the_pdf(live_server, page):
    load_demo()

    def find(email):
        return User.objects.get(email=email)

    pupil = _add_pupil(find)
    _add_history(pupil, find)
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(K_SENCO)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('pupils:pupil', args=[pupil.pk])}")
    page.get_by_role("link", name="Evidence pack for an EHC needs assessment request").click()
    page.get_by_role("heading", level=1, name="Evidence pack for pupil ST-26-901").wait_for()
    check_accessibility(page)
    page.get_by_label("Add the pupil's name to the PDF").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    assert download.value.url.endswith("evidence-pack.pdf?name=yes")
    assert NAME in _pdf_text(Path(download.value.path()).read_bytes())


def test_a_decision_at_a_meeting_is_dated_the_day_the_meeting_met(db):
    item = (
        AgendaItem.objects.exclude(outcome="")
        .filter(funding_request__pupils__isnull=False)
        .select_related("meeting", "funding_request")
        .order_by("pk")
        .first()
    )
    pupil = item.funding_request.pupils.select_related("school__council").first()
    (decision,) = [e for e in evidence_pack(pupil).entries if e.anchor == f"decision-{item.pk}"]
    assert decision.on == item.meeting.held_on and decision.kind == Kind.DECISION
    label = ItemOutcome(item.outcome).label.lower()
    assert decision.heading == f"Request {item.funding_request.reference} at the meeting: {label}"
