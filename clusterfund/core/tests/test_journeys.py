"""Journeys in a real browser, with axe-core on every page they visit."""

import pytest

from clusterfund.core.tests.browser import check_accessibility
from clusterfund.demo.loader import DEMO_PASSWORD, SCHEMES, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    load_demo()


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_sign_in_page_shows_errors_accessibly(live_server, demo, page):
    page.goto(f"{live_server.url}/sign-in")
    check_accessibility(page)
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter your email address" in summary.inner_text()
    assert page.title().startswith("Error: Sign in")
    check_accessibility(page)


def test_every_demo_account_signs_in_to_a_home_page_for_its_role(live_server, demo, page):
    for scheme in SCHEMES:
        for account in scheme.accounts:
            sign_in(page, live_server, account.email)
            heading = page.locator("main h2").all_inner_texts()
            assert heading, f"{account.email} sees no role on the home page"
            assert any(
                scheme.council_name in text
                or scheme.cluster_name in text
                or "School" in text
                or "Academy" in text
                for text in heading
            ), heading
            check_accessibility(page)
            page.get_by_role("link", name="Sign out").click()
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url(f"{live_server.url}/")


def test_public_cluster_pages_are_accessible_and_name_no_one(live_server, demo, page):
    page.goto(f"{live_server.url}/")
    check_accessibility(page)
    page.get_by_role("link", name="Kirklees Council").click()
    check_accessibility(page)
    page.get_by_role("link", name="Cluster 14").click()
    assert page.locator("h1").inner_text() == "Cluster 14"
    text = page.locator("main").inner_text()
    assert "does not need an education, health and care (EHC) plan" in text
    assert "Birkby Junior School" in text and "Educational psychologist" in text
    for person in ("Nadia Rahman", "Gareth Holroyd", "Claire Dyson"):
        assert person not in text
    check_accessibility(page)


def test_council_admin_walks_the_signed_in_pages(live_server, demo, page):
    sign_in(page, live_server, "send.admin@kirklees.example")
    page.get_by_role("link", name="Kirklees Council: years, clusters and schools").click()
    check_accessibility(page)
    page.get_by_role("link", name="Cluster 14").click()
    check_accessibility(page)
    page.get_by_role("link", name="St Thomas CE Primary School").click()
    assert "151801" in page.locator("main").inner_text()
    check_accessibility(page)
    page.goto(f"{live_server.url}/councils/kirklees/years/2025/")
    check_accessibility(page)
    page.get_by_role("link", name="Change the dates of Spring 1").click()
    page.get_by_role("group", name="Start date").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Start date").get_by_label("Month").fill("2")
    page.get_by_role("button", name="Save dates").click()
    assert "Start date must be a real date" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.goto(f"{live_server.url}/councils/kirklees/imports/census")
    page.get_by_role("button", name="Check and import").click()
    assert "Enter the census month" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.goto(f"{live_server.url}/audit/")
    check_accessibility(page)


def test_a_senco_adds_a_pupil_and_only_their_school_sees_the_name(live_server, demo, page):
    sign_in(page, live_server, "senco.stthomas@kirklees.example")
    page.get_by_role("link", name="Your school's pupils").click()
    check_accessibility(page)
    page.get_by_role("button", name="Add a pupil").click()
    page.get_by_role("button", name="Save pupil").click()
    assert "Enter a reference for the pupil" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.get_by_label("Your school's reference for this pupil").fill("ST-26-101")
    page.get_by_label("Pupil's name (optional)").fill("Harriet Example")
    page.get_by_label("Year group").select_option("3")
    page.get_by_role("group", name="Primary area of need").get_by_label("Cognition and learning").check()
    page.get_by_role("group", name="EHC plan").get_by_label("No EHC plan").check()
    page.get_by_role("button", name="Save pupil").click()
    assert "Pupil ST-26-101 added" in page.locator(".govuk-notification-banner").inner_text()
    assert "Harriet Example" in page.locator("main").inner_text()
    check_accessibility(page)


def _fill_date(page, legend, value):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def test_a_senco_writes_checks_and_submits_an_individual_request(live_server, demo, page, tmp_path, settings):
    import datetime

    from clusterfund.organisations.models import AcademicYear, Council

    settings.PRIVATE_FILES_ROOT = tmp_path
    year = AcademicYear.objects.filter(council=Council.objects.get(slug="kirklees")).current()
    sign_in(page, live_server, "senco.stthomas@kirklees.example")
    page.get_by_role("link", name="Start a request").click()
    check_accessibility(page)
    page.get_by_role("button", name="Start the request").click()
    assert "Choose what kind of request it is" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.get_by_label("Individual").check()
    page.get_by_label("A short title").fill("Speech and language sessions")
    page.get_by_role("button", name="Start the request").click()
    assert page.locator("h1").inner_text() == "Speech and language sessions"
    check_accessibility(page)

    page.get_by_role("link", name="About the need").click()
    check_accessibility(page)
    page.get_by_label("The need in plain words").fill("Struggles to put ideas into words and is withdrawn.")
    page.get_by_label("Communication and interaction").first.check()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Pupils").click()
    check_accessibility(page)
    page.get_by_label("ST-24-017").check()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="The graduated approach so far").click()
    check_accessibility(page)
    page.get_by_label("What was assessed").fill("Speech link screening in September.")
    page.get_by_label("What was planned").fill("Small-group language sessions.")
    page.get_by_label("What was done, and for how long").fill("Ten weeks, three times a week.")
    page.get_by_label("What changed").fill("Vocabulary improved; sentences did not.")
    check_accessibility(page)
    page.get_by_role("button", name="Save and continue").click()

    start, end = year.starts_on + datetime.timedelta(days=70), year.ends_on - datetime.timedelta(days=30)
    page.get_by_role("link", name="Outcomes").click()
    check_accessibility(page)
    page.get_by_role("button", name="Add an outcome").click()
    check_accessibility(page)
    page.get_by_label("What should change").fill("Uses five-word sentences in class")
    _fill_date(page, "Date by which it should be achieved", end)
    page.get_by_label("How it will be measured").fill("Speech link re-screen")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Costed provision and dates").click()
    check_accessibility(page)
    page.get_by_role("link", name="Change the dates").click()
    check_accessibility(page)
    _fill_date(page, "Start date", start)
    _fill_date(page, "End date", end)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Costed provision and dates").click()
    check_accessibility(page)
    page.get_by_role("button", name="Add a line").click()
    check_accessibility(page)
    page.get_by_label("What the provision is").fill("Teaching assistant 1:1 sessions")
    page.get_by_label("Who provides it").fill("School staff")
    page.get_by_label("Hours or units").fill("20")
    page.get_by_label("Cost of one hour or unit").fill("-3")
    page.get_by_label("Spring").check()
    page.get_by_role("button", name="Save and continue").click()
    assert "cannot be negative" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.get_by_label("Cost of one hour or unit").fill("25.50")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Parent or carer agreement").click()
    check_accessibility(page)
    _fill_date(page, "Date the parent or carer agreed", datetime.date.today())
    page.get_by_label("Signed form").check()
    check_accessibility(page)
    page.get_by_role("button", name="Save and continue").click()
    assert "You have completed 6 of 6 sections" in page.locator("main").inner_text()
    check_accessibility(page)

    page.get_by_role("button", name="Check your answers").click()
    assert "£510.00" in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("button", name="Submit the request").click()
    assert page.locator("h1").inner_text() == "Request submitted"
    check_accessibility(page)
    page.get_by_role("link", name="View the request").click()
    check_accessibility(page)
    assert "Submitted" in page.locator("main").inner_text()
    check_accessibility(page)


def test_the_council_changes_its_formula_and_a_cluster_admin_records_a_payment(live_server, demo, page):
    import datetime

    sign_in(page, live_server, "send.admin@kirklees.example")
    page.get_by_role("link", name="Money: the formula, every cluster's pots and the year end").click()
    assert "Cluster 14" in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="See or change the formula").click()
    check_accessibility(page)
    page.get_by_role("button", name="Start a new version").click()
    check_accessibility(page)
    page.get_by_label("High Needs amount for clusters").fill("12,50")
    page.get_by_label("Pupils with an EHC plan (E)").fill("-2")
    page.get_by_role("button", name="Save the draft").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "High Needs amount for clusters must be an amount in pounds and pence" in summary
    assert "cannot be negative" in summary
    check_accessibility(page)
    page.get_by_label("High Needs amount for clusters").fill("200,000")
    page.get_by_label("Pupils with an EHC plan (E)").fill("3")
    page.get_by_role("button", name="Save the draft").click()
    assert "+£20,000.00" in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("button", name="Commit version 2").click()
    check_accessibility(page)
    page.get_by_role("button", name="Commit the formula").click()
    assert "Enter why this version supersedes" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.get_by_label("Why this version replaces the committed one").fill(
        "Extra money from the schools forum"
    )
    page.get_by_role("button", name="Commit the formula").click()
    assert "Formula version 2 committed" in page.locator(".govuk-notification-banner").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "cluster14.admin@kirklees.example")
    page.get_by_role("link", name="Cluster 14: money, awards and ledger").click()
    assert "Why the cluster has this amount" in page.locator("main").inner_text()
    check_accessibility(page)
    from clusterfund.money import services
    from clusterfund.money.models import Award

    award = next(
        award
        for award in Award.objects.filter(pot__cluster__slug="cluster-14", status="active").order_by("pk")
        if services.award_amounts(award)["outstanding"]
    )
    page.get_by_role("link", name=award.reference, exact=True).first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Record a payment").click()
    page.get_by_label("Amount paid").fill("1,00")
    page.get_by_role("button", name="Record a payment").click()
    assert (
        "Amount paid must be an amount in pounds and pence"
        in page.locator(".govuk-error-summary").inner_text()
    )
    check_accessibility(page)
    page.get_by_label("Amount paid").fill("1.00")
    _fill_date(page, "Date it was paid", datetime.date.today())
    page.get_by_role("button", name="Record a payment").click()
    assert "Payment recorded" in page.locator(".govuk-notification-banner").inner_text()
    assert services.award_amounts(award)["paid"] >= 100
    check_accessibility(page)


def test_the_other_money_pages_are_accessible(live_server, demo, page, tmp_path):
    from clusterfund.money.models import Award
    from clusterfund.organisations.models import AcademicYear

    year = AcademicYear.objects.filter(council__slug="kirklees").current().start_year
    sign_in(page, live_server, "send.admin@kirklees.example")
    page.goto(f"{live_server.url}/councils/kirklees/money/{year}/factors")
    check_accessibility(page)
    values = tmp_path / "idaci.csv"
    values.write_text("URN,Value\n151801,0.4\n107626,nine\n")
    page.get_by_label("Name of the factor").fill("IDACI score")
    page.get_by_label("Upload a CSV file").set_input_files(str(values))
    page.get_by_role("button", name="Check and import").click()
    assert "‘nine’ is not a number." in page.locator("main").inner_text()
    check_accessibility(page)
    page.goto(f"{live_server.url}/councils/kirklees/money/{year}/transfer")
    page.get_by_role("button", name="Move the money").click()
    assert "Choose the pot the money comes from" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.goto(f"{live_server.url}/councils/kirklees/money/{year}/year-end")
    check_accessibility(page)
    award = Award.objects.filter(pot__council__slug="kirklees", status="active").first()
    page.goto(f"{live_server.url}/awards/{award.pk}/change")
    page.get_by_role("button", name="Change the amount of the award").click()
    assert "Enter the new amount of the award" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.goto(f"{live_server.url}/awards/{award.pk}/end")
    check_accessibility(page)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "senco.stthomas@kirklees.example")
    page.get_by_role("link", name="Your school's awards and payments").click()
    check_accessibility(page)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Cluster 14: money").click()
    check_accessibility(page)


def test_the_team_triages_asks_the_school_and_resolves_with_advice(live_server, demo, page):
    import datetime

    from clusterfund.accounts.models import User
    from clusterfund.funding_requests import services as requests
    from clusterfund.funding_requests.tests.builders import complete_individual_request
    from clusterfund.organisations.models import School

    senco = User.objects.get(email="senco.stthomas@kirklees.example")
    fr = requests.submit_request(
        funding_request=complete_individual_request(School.objects.get(urn=151801), senco), acting_user=senco
    )
    sign_in(page, live_server, "ep.cluster14@kirklees.example")
    page.get_by_role("link", name="Triage for Cluster 14").click()
    check_accessibility(page)
    page.get_by_role("link", name=fr.reference, exact=True).click()
    check_accessibility(page)
    page.get_by_label("Dr Nadia Rahman, educational psychologist").check()
    page.get_by_role("button", name="Assign and start triage").click()
    page.get_by_role("button", name="Score the request").click()
    page.get_by_role("button", name="Save scores").click()
    assert "Choose a score for" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    for group in page.locator("fieldset").all():
        group.get_by_role("radio").last.check()
    for box in page.locator("textarea").all():
        box.fill("Clear evidence over a term.")
    page.get_by_role("button", name="Save scores").click()
    assert "What the meeting sees" in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Ask the school for more information").click()
    page.get_by_label("What the school needs to tell you").fill("What did the last review show?")
    page.get_by_role("button", name="Send the questions").click()
    check_accessibility(page)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "senco.stthomas@kirklees.example")
    page.goto(f"{live_server.url}/requests/{fr.pk}/")
    assert "What did the last review show?" in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Answer the questions and send the request back").click()
    check_accessibility(page)
    page.get_by_label("Your answer").fill("Progress in class, not at lunchtimes.")
    page.get_by_role("button", name="Save").click()
    assert "back with the Team Around the Cluster" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "ep.cluster14@kirklees.example")
    page.goto(f"{live_server.url}/requests/{fr.pk}/triage/")
    assert "The school has answered the team's questions" in page.locator("main").inner_text()
    page.get_by_role("button", name="Continue triage").click()
    page.get_by_role("link", name="Resolve it with advice").click()
    check_accessibility(page)
    page.get_by_label("Educational psychologist consultation").check()
    today = datetime.date.today()
    _fill_date(page, "Date the advice was given", today)
    page.get_by_label("Who gave it").fill("Dr Nadia Rahman, educational psychologist")
    page.get_by_label("What was advised").fill("Visual timetable and pre-taught vocabulary.")
    page.get_by_role("button", name="Resolve with advice").click()
    assert "resolved with advice" in page.locator(".govuk-notification-banner").inner_text()
    check_accessibility(page)
    page.goto(f"{live_server.url}/schools/{fr.lead_school_id}/advice/")
    assert "Visual timetable" in page.locator("main").inner_text()
    check_accessibility(page)
    page.goto(f"{live_server.url}/interests/")
    check_accessibility(page)


def test_blind_papers_and_the_schemes_rules_are_accessible(live_server, demo, page):
    from clusterfund.funding_requests.models import FundingRequest

    fr = FundingRequest.objects.filter(council__slug="stoke-on-trent", status="ready_for_meeting").first()
    sign_in(page, live_server, "locality.lead@stoke.example")
    page.goto(f"{live_server.url}/requests/{fr.pk}/")
    assert f"Paper {fr.reference}" in page.locator("h1").inner_text()
    assert fr.lead_school.name not in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "senco.abbeyhulton@stoke.example")
    page.get_by_role("link", name="Resources schools in your cluster share").click()
    check_accessibility(page)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "send.admin@stoke.example")
    page.get_by_role("link", name="Triage: guidelines, criteria and blind papers").click()
    check_accessibility(page)


def test_a_meeting_runs_from_frozen_agenda_to_published_minutes(live_server, demo, page):
    from clusterfund.accounts.models import User
    from clusterfund.meetings import services as meetings
    from clusterfund.meetings.tests.test_meetings import _ready_request
    from clusterfund.organisations.models import School

    fr = _ready_request(lambda email: User.objects.get(email=email))
    meeting = fr.meeting
    meeting_url = f"{live_server.url}/clusters/{meeting.cluster_id}/meetings/{meeting.pk}/"

    sign_in(page, live_server, "cluster14.admin@kirklees.example")
    page.goto(meeting_url)
    check_accessibility(page)
    page.get_by_role("button", name="Build the agenda").click()
    assert fr.reference in page.locator("#agenda + * table, main").first.inner_text()
    page.get_by_role("button", name="Order the agenda").click()
    check_accessibility(page)
    page.get_by_role("button", name="Save the order").click()
    page.get_by_role("button", name="Freeze the agenda").click()
    assert "The agenda is frozen" in page.locator(".govuk-notification-banner").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Meeting pack").click()
    check_accessibility(page)
    page.goto(meeting_url)
    page.get_by_role("button", name="Record attendance").click()
    for group in page.locator("fieldset").all():
        group.get_by_label("In person").check()
    page.get_by_label("Who else attended").fill("Dr Nadia Rahman, educational psychologist")
    page.get_by_role("button", name="Save attendance").click()
    assert "The meeting is quorate" in page.locator("main").inner_text()
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "head.ashbrow@kirklees.example")
    page.goto(meeting_url)
    page.get_by_role("button", name="Open the vote").click()
    assert "The vote is open" in page.locator(".govuk-notification-banner").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    # Birkby Junior's SENCO casts the school's own ballot; the admin records a show of hands for the rest.
    birkby = School.objects.get(name__startswith="Birkby Junior")
    sign_in(page, live_server, "senco.birkbyjunior@kirklees.example")
    page.goto(meeting_url)
    page.get_by_role("button", name=f"Cast {birkby.name}'s ballot").click()
    check_accessibility(page)
    page.get_by_role("button", name="Cast the ballot").click()
    assert f"Choose how to vote on {fr.reference}" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    for group in page.locator("fieldset").all():
        group.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Cast the ballot").click()
    assert "ballot is recorded" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    admin = User.objects.get(email="cluster14.admin@kirklees.example")
    meeting.refresh_from_db()
    for school in School.objects.filter(pk__in=[int(pk) for pk in meeting.pseudonyms]).exclude(pk=birkby.pk):
        items = [i for i in meeting.items.filter(outcome="") if school.pk in i.eligible_school_ids]
        meetings.cast_ballot(
            meeting=meeting,
            school=school,
            choices={i.pk: "for" if i.funding_request_id == fr.pk else "abstain" for i in items},
            recorded_as="show_of_hands",
            acting_user=admin,
        )

    sign_in(page, live_server, "head.ashbrow@kirklees.example")
    page.goto(meeting_url)
    page.get_by_role("button", name="Close the vote and count it").click()
    assert "closed and counted" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("link", name="Results", exact=True).click()
    assert "Funded" in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "cluster14.admin@kirklees.example")
    page.goto(meeting_url)
    page.get_by_role("button", name="Record the decisions and make the awards").click()
    assert "awards" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("link", name="Results", exact=True).click()
    page.get_by_role("button", name="Add an action").click()
    page.get_by_role("button", name="Add the action").click()
    assert "Enter the action" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    page.get_by_label("Action").fill("Share the visual timetable with the cluster")
    page.get_by_label("Who owns it").fill("St Thomas CE Primary School")
    _fill_date(page, "Due by", meeting.held_on)
    page.get_by_role("button", name="Add the action").click()
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "head.ashbrow@kirklees.example")
    page.goto(meeting_url + "minutes")
    check_accessibility(page)
    page.get_by_role("button", name="Approve the minutes").click()
    check_accessibility(page)
    page.get_by_role("button", name="Approve and publish the minutes").click()
    page.goto(meeting_url + "minutes")
    text = page.locator("main").inner_text()
    assert text.startswith("Cluster 14") and "Minutes:" in text
    meeting.refresh_from_db()
    assert meeting.fingerprint in text and "Share the visual timetable" in text
    check_accessibility(page)
    download = page.request.get(meeting_url + "counts/0/public.pb")
    assert download.status == 200 and download.text().startswith("META")


def test_a_senco_records_that_support_started_reviews_it_and_opens_the_evidence_pack(live_server, demo, page):
    import datetime

    from clusterfund.funding_requests.models import FundingRequest

    st_thomas = FundingRequest.objects.filter(lead_school__urn=151801).order_by("reference")
    # The demo meeting's vote funds it in full or in part (equal shares may fund it short): either can start.
    fr = st_thomas.filter(status__in=("approved", "part_approved"), request_type="individual").first()
    assert fr is not None, list(st_thomas.values_list("reference", "request_type", "status"))
    pupil = fr.pupils.first()
    sign_in(page, live_server, "senco.stthomas@kirklees.example")
    page.goto(f"{live_server.url}/requests/{fr.pk}/")
    page.get_by_role("link", name="Record that the support started").click()
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()
    assert "Enter the date the support started" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    _fill_date(page, "Date the support started", datetime.date.today())
    page.get_by_label("The school's own staff").check()
    page.get_by_role("button", name="Save").click()
    assert "recorded as started" in page.locator(".govuk-notification-banner").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Record the review due").first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Save the review").click()
    assert "Choose what happens next" in page.locator(".govuk-error-summary").inner_text()
    check_accessibility(page)
    for group in page.locator("fieldset").filter(has_text="Outcome").all():
        group.get_by_label("Partly met").check()
    for box in page.get_by_label("Evidence for outcome").all():
        box.fill("Reading age up eight months on the termly test.")
    page.get_by_label("Request an EHC needs assessment").check()
    page.get_by_role("button", name="Save the review").click()
    assert "The review is recorded" in page.locator(".govuk-notification-banner").inner_text()

    page.goto(f"{live_server.url}/pupils/{pupil.pk}/evidence-pack")
    check_accessibility(page)
    text = page.locator("main").inner_text()
    assert fr.reference in text and "Reading age up eight months" in text
    pdf = page.request.get(f"{live_server.url}/pupils/{pupil.pk}/evidence-pack.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")


def test_the_year_in_numbers_from_the_council_dashboard(live_server, demo, page):
    sign_in(page, live_server, "send.admin@kirklees.example")
    page.get_by_role("link", name="The year in numbers: every cluster side by side").click()
    assert page.locator("h1").inner_text() == "Kirklees Council: the year in numbers"
    chart = page.get_by_role("img", name="Requests by type, Kirklees Council")
    assert chart.is_visible()
    # The chart's own style sheet was let through by the page's CSP: its bars are GOV.UK blue, not black.
    bar = chart.locator(".serie-0 rect.reactive").first
    assert bar.evaluate("element => getComputedStyle(element).fill") == "rgb(29, 112, 184)"
    page.get_by_text("Show the data", exact=False).first.click()
    check_accessibility(page)
    funded = page.locator(".govuk-summary-list__row", has_text="Funded").first.get_by_role("link")
    count = funded.inner_text()
    funded.click()
    assert f"{count} requests" in page.locator("main").inner_text()
    check_accessibility(page)
    page.go_back()
    page.get_by_label("Term").select_option(label="Autumn term")
    page.get_by_role("button", name="Show").click()
    assert "requests submitted in the autumn term" in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="The fairness monitor for").click()
    assert page.locator("h1").inner_text() == "Fairness monitor: Kirklees Council"
    check_accessibility(page)
    page.get_by_role("link", name="Cluster 14").first.click()
    main = page.locator("main").inner_text()
    assert "No flags are raised" not in main
    assert page.locator("main h3", has_text="(").count() >= 1, "the demo raises at least one flag"
    check_accessibility(page)
    # What the public sees of the same year, small numbers suppressed.
    page.goto(f"{live_server.url}/public/kirklees/")
    page.get_by_role("link", name="The year in numbers: the pot, requests funded").click()
    assert page.locator("h1").inner_text().startswith("Kirklees Council SEND clusters: the year in numbers")
    assert "fewer than 5" in page.locator("main").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Cluster 14").first.click()
    assert page.locator("h1").inner_text().startswith("Cluster 14, Kirklees Council: the year in numbers")
    check_accessibility(page)
