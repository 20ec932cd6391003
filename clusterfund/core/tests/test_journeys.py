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
