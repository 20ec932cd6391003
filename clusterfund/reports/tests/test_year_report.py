"""The year report of a cluster and of the council, as a page and a PDF: money, activity, times, outcomes,
the fairness monitor, the survey (comments for admins only) and the changes decided for next year, which
the admins record and complete."""

import datetime
import io
import re

import pytest
from django.template import engines
from django.urls import reverse
from markupsafe import escape
from pypdf import PdfReader

from clusterfund.audit.models import AuditEvent
from clusterfund.demo.demo_review import ACTIONS, COMMENTS
from clusterfund.organisations.models import AcademicYear, Cluster
from clusterfund.reports import survey
from clusterfund.reports.models import ReviewAction, SurveyAnswer

K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
K_CLUSTER_ADMIN, K_CHAIR, K_EP = (
    "cluster14.admin@kirklees.example",
    "head.ashbrow@kirklees.example",
    "ep.cluster14@kirklees.example",
)
S_ADMIN = "send.admin@stoke.example"
COMMENT = COMMENTS[0]["low"][0]  # the one comment the tests look for, from Cluster 14's review


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def cluster(db):
    return Cluster.objects.get(slug="cluster-14")


@pytest.fixture
def year(cluster):
    return AcademicYear.objects.filter(council=cluster.council).current()


def _urls(cluster, year):
    return (
        reverse("review:cluster_report", args=[cluster.pk, year.start_year]),
        reverse("review:cluster_report_pdf", args=[cluster.pk, year.start_year]),
    )


def test_the_cluster_report_page_holds_every_part_and_comments_for_admins_only(
    cluster, year, signed_in_client, client
):
    page_url, pdf_url = _urls(cluster, year)
    admin = signed_in_client(K_CLUSTER_ADMIN)
    html = admin.get(page_url).content.decode()
    for heading in ("Money", "Activity", "Times", "Outcomes", "Fairness", "The annual review survey"):
        assert f'<h2 class="govuk-heading-m">{heading}</h2>' in html
    assert "Changes decided for next year" in html and "1 done" in html
    for what, owner, _, _ in ACTIONS["kirklees"]:
        assert escape(what) in html and escape(owner) in html
    assert "Need and money, school by school" in html and "St Thomas" in html
    assert "Schools answered: 11 of 11" in html and "members answered: 4 of 4" in html
    assert "Schools that write well" in html  # the demo's comments, for the cluster's admin
    assert "Mark as done" in html and "Record a change for next year" in html
    client.logout()
    for email in (K_CHAIR, K_AUDITOR, K_EP):
        html = signed_in_client(email).get(page_url).content.decode()
        assert "Schools that write well" not in html and "shown to the council" in html
        assert "Mark as done" not in html
        client.logout()


def test_the_fairness_section_names_schools_only_for_those_who_see_the_fairness_monitor(
    cluster, year, signed_in_client, client
):
    page_url, pdf_url = _urls(cluster, year)
    schools = list(cluster.memberships.filter(academic_year=year).values_list("school__name", flat=True))
    for email in (K_CLUSTER_ADMIN, K_CHAIR, K_AUDITOR):
        html = signed_in_client(email).get(page_url).content.decode()
        assert "Need and money, school by school" in html and 'id="need-and-money"' in html
        client.logout()
    # the Team Around the Cluster reads the report but not the monitor: the spread, no school named
    team = signed_in_client(K_EP)
    html = team.get(page_url).content.decode()
    fairness = html[
        html.index('<h2 class="govuk-heading-m">Fairness</h2>') : html.index("The annual review survey")
    ]
    assert "Need and money, school by school" not in html and 'id="need-and-money"' not in html
    assert (
        'id="lorenz"' in fairness
        and "without naming any school" in fairness
        and "Gini coefficient" in fairness
    )
    for name in schools:
        assert str(escape(name)) not in fairness, name
    assert team.get(page_url + "?chart=need-and-money&format=csv")["Content-Type"].startswith("text/html")
    text = _pdf_text(team.get(pdf_url).content)
    assert "Need and money, school by school" not in text and "without naming any school" in text
    assert "Birkby Junior School" not in text


def test_the_report_states_the_flag_thresholds_as_the_monitor_applies_them(cluster, year, signed_in_client):
    html = signed_in_client(K_ADMIN).get(_urls(cluster, year)[0]).content.decode()
    assert "more than 2.00 times its share of the need, or less than 0.50 times" in html
    assert "at or above" not in html and "at or below" not in html


def test_counts_are_pluralised_and_means_have_two_decimals(cluster, year, signed_in_client):
    env = engines.all()[0].env
    plural = env.from_string(
        '{% from "reports/review/_year.html" import plural %}{{ plural(n, "request was", "requests were") }}'
    )
    assert plural.render(n=1) == "1 request was" and plural.render(n=2) == "2 requests were"
    assert plural.render(n=0) == "0 requests were"
    number = env.from_string('{% from "reports/review/_results.html" import number %}{{ number(v) }}')
    assert number.render(v=3.25) == "3.25" and number.render(v=3.5) == "3.50" and number.render(v=None) == "–"
    html = signed_in_client(K_ADMIN).get(_urls(cluster, year)[0]).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(
        r"\b1 (requests|impact reviews|flags|changes|member schools|terms|meetings|schools)\b", text
    )
    assert re.search(r"Mean</th>\s*<td[^>]*>\d\.\d\d<", html)


def test_the_report_has_charts_whose_style_sheet_carries_the_pages_nonce(cluster, year, signed_in_client):
    page_url, pdf_url = _urls(cluster, year)
    client = signed_in_client(K_CLUSTER_ADMIN)
    response = client.get(page_url)
    html = response.content.decode()
    [nonce] = set(re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"]))
    for slug in ("requests-by-type", "outcomes", "need-and-money", "lorenz", "survey-scores"):
        figure = html[html.index(f'<figure class="app-chart" id="{slug}">') :]
        svg = figure[figure.index("<svg") : figure.index("</svg>")]
        assert f'<style nonce="{nonce}">' in svg, slug
        assert f"?chart={slug}&amp;format=csv" in figure
    download = client.get(page_url + "?chart=outcomes&format=csv")
    assert download["Content-Type"].startswith("text/csv")
    assert f"cluster-14-year-report-{year.start_year}-outcomes" in download["Content-Disposition"]
    rows = download.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "Outcome,Outcomes" and rows[1].startswith("Met,")
    assert client.get(page_url + "?chart=survey-scores&format=xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_the_pdf_prints_the_charts_with_their_labels(cluster, year, signed_in_client):
    _, pdf_url = _urls(cluster, year)
    text = _pdf_text(signed_in_client(K_ADMIN).get(pdf_url).content)
    for title in (
        "Requests by type, submitted and funded",
        "Outcomes the impact reviews found",
        "Each school's share of the need and of the money",
        "How evenly the money reaches pupils on SEN support: Cluster 14",
        "The annual review survey: the mean score per question",
    ):
        assert title in text, title
    # the drawings' own labels and legends, and the data tables printed open beside them
    for label in (
        "Submitted",
        "Funded",
        "Partly met",
        "Not met",
        "Share of need (%)",
        "An even spread",
        "Question 1",
        "Team members",
    ):
        assert label in text, label
    assert "Download the data" not in text


def test_the_council_report_has_its_charts(db, signed_in_client):
    year = AcademicYear.objects.filter(council__slug="stoke-on-trent").current()
    page_url = reverse("review:council_report", args=["stoke-on-trent", year.start_year])
    client = signed_in_client(S_ADMIN)
    html = client.get(page_url).content.decode()
    for slug in ("requests-by-type", "lorenz", "survey-scores"):
        assert f'id="{slug}"' in html
    assert client.get(page_url + "?chart=lorenz&format=csv")["Content-Type"].startswith("text/csv")


def test_the_cluster_report_pdf_has_the_same_parts(cluster, year, signed_in_client, client):
    _, pdf_url = _urls(cluster, year)
    response = signed_in_client(K_ADMIN).get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="year-report-cluster-14-{year.start_year}.pdf"'
    )
    text = _pdf_text(response.content)
    assert f"Year report {year.name}, Cluster 14" in text and "Page 1 of" in text
    for part in ("Money", "Requests by type", "From submission to decision", "Outcomes the impact reviews"):
        assert part in text
    assert "Need and money, school by school" in text and "Birkby Junior School" in text
    assert survey.DEFAULT_QUESTIONS[0][0] in text and "Strongly agree" in text
    assert "mid-year check" in text
    assert "Show every school's share of need" in text and "Dr Nadia Rahman, educational psychologist" in text
    assert "Schools that write well" in text
    client.logout()
    text = _pdf_text(signed_in_client(K_AUDITOR).get(pdf_url).content)
    assert "Schools that write well" not in text and survey.DEFAULT_QUESTIONS[0][0] in text


def test_the_council_report_sets_the_clusters_side_by_side(db, signed_in_client, client):
    year = AcademicYear.objects.filter(council__slug="stoke-on-trent").current()
    page_url = reverse("review:council_report", args=["stoke-on-trent", year.start_year])
    html = signed_in_client(S_ADMIN).get(page_url).content.decode()
    assert "Each cluster side by side" in html and "City pool" in html
    assert "Need and money, cluster by cluster" in html and "Money by area of need" in html
    assert "Each cluster&#39;s review" in html and "Central cluster" in html
    assert "Write the guidance on applying to the contingency fund" in html
    stoke_comment = (
        SurveyAnswer.objects.filter(invitation__review__cluster__council__slug="stoke-on-trent")
        .exclude(comment="")
        .values_list("comment", flat=True)
        .first()
    )
    assert escape(stoke_comment) in html
    response = signed_in_client(S_ADMIN).get(
        reverse("review:council_report_pdf", args=["stoke-on-trent", year.start_year])
    )
    text = _pdf_text(response.content)
    assert f"Year report {year.name}, Stoke-on-Trent City Council" in text
    assert "Central cluster" in text and "Review the total of the cluster funding" in text
    client.logout()
    auditor = signed_in_client("auditor@stoke.example").get(page_url).content.decode()
    assert escape(stoke_comment) not in auditor


def test_the_admin_records_a_change_for_next_year_and_completes_it(cluster, year, signed_in_client):
    client = signed_in_client(K_CLUSTER_ADMIN)
    url = reverse("review:add_action", args=[cluster.pk, year.start_year])
    refused = client.post(url, {"what": "", "owner": "x" * 201, "due_on-day": "31", "due_on-month": "2"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "There is a problem" in html
    assert "Enter the change decided" in html and "Who owns it must be 200 characters or fewer" in html
    assert "Date it is due must include a year" in html
    before = ReviewAction.objects.count()
    due = year.ends_on + datetime.timedelta(days=30)
    done = client.post(
        url,
        {
            "what": "Meet the SENCOs of schools that did not ask",
            "owner": "Cluster admin",
            "due_on-day": str(due.day),
            "due_on-month": str(due.month),
            "due_on-year": str(due.year),
        },
    )
    assert done.status_code == 302 and ReviewAction.objects.count() == before + 1
    action = ReviewAction.objects.get(what="Meet the SENCOs of schools that did not ask")
    assert AuditEvent.objects.filter(action="review.action_added", object_id=str(action.pk)).exists()
    complete = reverse("review:complete_action", args=[cluster.pk, year.start_year, action.pk])
    assert client.post(complete).status_code == 302
    action.refresh_from_db()
    assert action.done_on is not None
    assert AuditEvent.objects.filter(action="review.action_done", object_id=str(action.pk)).exists()
    # pressing again says so and changes nothing
    again = client.post(complete, follow=True)
    assert "already done" in again.content.decode()


def test_only_the_admins_record_changes(cluster, year, user_by_email):
    review = survey.review_of(cluster, year)
    for email in (K_CHAIR, K_AUDITOR, K_EP, S_ADMIN):
        with pytest.raises(survey.ReviewError, match="Only the council"):
            survey.add_review_action(
                review=review, what="A", owner="B", due_on=year.ends_on, acting_user=user_by_email(email)
            )
    with pytest.raises(survey.ReviewInvalid) as refused:
        survey.add_review_action(
            review=review, what=" ", owner="", due_on=None, acting_user=user_by_email(K_ADMIN)
        )
    assert set(refused.value.errors) == {"what", "owner", "due_on"}


def test_the_report_makes_the_same_queries_however_many_answers_and_changes(
    cluster, year, signed_in_client, user_by_email, django_assert_max_num_queries
):
    page_url, _ = _urls(cluster, year)
    client = signed_in_client(K_ADMIN)
    with django_assert_max_num_queries(80) as first:
        client.get(page_url)
    review = survey.review_of(cluster, year)
    admin = user_by_email(K_ADMIN)
    for number in range(10):
        survey.add_review_action(
            review=review,
            what=f"Change {number}",
            owner="Cluster admin",
            due_on=year.ends_on,
            acting_user=admin,
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert "Change 9" in client.get(page_url).content.decode()
