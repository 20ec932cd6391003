"""The request pages as a SENCO uses them: every page's HTML is checked by the client fixture."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusterfund.audit.models import AuditEvent
from clusterfund.funding_requests import services
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import Attachment, FundingRequest, RequestType
from clusterfund.funding_requests.tests.builders import complete_individual_request
from clusterfund.organisations.models import School
from clusterfund.pupils.models import Pupil

ST_THOMAS_URN = 151801
SENCO, OTHER_SENCO = "senco.stthomas@kirklees.example", "senco.birkbyjunior@kirklees.example"
# A small but well-formed PDF: what a scanned report starts and ends with.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def st_thomas(db):
    return School.objects.get(urn=ST_THOMAS_URN)


@pytest.fixture
def senco_client(signed_in_client):
    return signed_in_client(SENCO)


def _url(name, *args):
    return reverse(f"funding_requests:{name}", args=args)


def _date(prefix, value):
    return {f"{prefix}-day": value.day, f"{prefix}-month": value.month, f"{prefix}-year": value.year}


def test_a_senco_writes_checks_and_submits_an_individual_request(senco_client, st_thomas, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    response = senco_client.post(
        _url("start", st_thomas.pk), {"request_type": "individual", "title": "Language support"}
    )
    fr = FundingRequest.objects.get(title="Language support", lead_school=st_thomas)
    assert response.status_code == 302 and response["Location"] == _url("request", fr.pk)
    page = senco_client.get(_url("request", fr.pk)).content.decode()
    assert "You have completed 0 of 6 sections" in page

    response = senco_client.post(
        _url("need", fr.pk),
        {
            "title": "Language support",
            "need": "Finds it hard to follow instructions.",
            "primary_area": "semh",
        },
    )
    assert response.status_code == 302
    pupil = Pupil.objects.get(reference="ST-24-017")
    senco_client.post(_url("pupils", fr.pk), {"pupils": [pupil.pk]})
    senco_client.post(
        _url("approach", fr.pk),
        {
            "assessed": "Screening",
            "planned": "Sessions",
            "done": "Ten weeks of sessions",
            "reviewed": "Some progress",
        },
    )
    year = fr.academic_year
    start, end = year.starts_on.replace(month=11, day=3), year.ends_on.replace(month=6, day=30)
    senco_client.post(_url("dates", fr.pk), {**_date("start_date", start), **_date("end_date", end)})
    senco_client.post(
        _url("add-outcome", fr.pk),
        {"what": "Follows two-step instructions", **_date("by_when", end), "how_measured": "Observation"},
    )
    term = year.terms.get(number=2)
    response = senco_client.post(
        _url("add-line", fr.pk),
        {
            "what": "TA sessions",
            "provider": "School staff",
            "units": "12.5",
            "unit_cost": "£18.40",
            "term": term.pk,
        },
    )
    assert response.status_code == 302
    consent_day = fr.created_at.date()
    senco_client.post(
        _url("consent", fr.pk), {**_date("consent_date", consent_day), "consent_method": "email"}
    )
    upload = SimpleUploadedFile("speech-link.pdf", PDF, content_type="application/octet-stream")
    senco_client.post(_url("attachments", fr.pk), {"upload": upload, "description": "Speech link report"})

    check = senco_client.get(_url("check", fr.pk)).content.decode()
    assert "£230.00" in check and "Follows two-step instructions" in check and "speech-link.pdf" in check
    response = senco_client.post(_url("check", fr.pk))
    assert response.status_code == 302 and response["Location"] == _url("submitted", fr.pk)
    fr.refresh_from_db()
    assert fr.status == RequestStatus.SUBMITTED and fr.version == 1
    assert fr.reference in senco_client.get(_url("submitted", fr.pk)).content.decode()
    assert senco_client.get(_url("school", st_thomas.pk)).content.decode().count(fr.reference) == 1


def test_bad_money_is_refused_with_a_specific_message_and_nothing_is_saved(senco_client, st_thomas):
    fr = complete_individual_request(
        st_thomas, senco_client.user if hasattr(senco_client, "user") else _senco()
    )
    term = fr.academic_year.terms.get(number=1)
    for cost, message in [
        ("12.345", "Cost of one hour or unit must be an amount in pounds and pence, like 25.50"),
        ("-5", "Cost of one hour or unit cannot be negative"),
        ("", "Enter the cost of one hour or unit"),
    ]:
        response = senco_client.post(
            _url("add-line", fr.pk),
            {"what": "Sessions", "provider": "Staff", "units": "2", "unit_cost": cost, "term": term.pk},
        )
        page = response.content.decode()
        assert response.status_code == 200 and "There is a problem" in page and message in page
        assert page.count('href="#id_unit_cost"') == 1
    assert fr.provision_lines.count() == 1


def _senco():
    from clusterfund.accounts.models import User

    return User.objects.get(email=SENCO)


def test_another_schools_senco_finds_nothing(signed_in_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    services.submit_request(funding_request=fr, acting_user=_senco())
    other = signed_in_client(OTHER_SENCO)
    for name in ["request", "need", "history", "withdraw", "check", "attachments"]:
        assert other.get(_url(name, fr.pk)).status_code == 404, name
    assert fr.reference not in other.get(_url("all")).content.decode()


def test_a_change_after_submission_shows_in_the_history(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    services.submit_request(funding_request=fr, acting_user=_senco())
    response = senco_client.post(
        _url("need", fr.pk),
        {"title": fr.title, "need": "Now also struggling at lunchtimes.", "primary_area": fr.primary_area},
    )
    assert response.status_code == 302
    page = senco_client.get(_url("request", fr.pk)).content.decode()
    assert "Change saved. The request is now version 2." in page
    history = senco_client.get(_url("history", fr.pk)).content.decode()
    assert "Version 2" in history and "Now also struggling at lunchtimes." in history
    assert "Other areas of need" in history  # the form left them unticked: that is a change too


def test_withdrawal_needs_a_reason(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    services.submit_request(funding_request=fr, acting_user=_senco())
    page = senco_client.post(_url("withdraw", fr.pk), {"reason": ""}).content.decode()
    assert "There is a problem" in page and "Enter why the request is being withdrawn" in page
    response = senco_client.post(_url("withdraw", fr.pk), {"reason": "Support found in school"})
    assert response.status_code == 302
    fr.refresh_from_db()
    assert fr.status == RequestStatus.WITHDRAWN


def test_attachments_are_judged_by_content_and_served_only_to_those_who_may_see(
    senco_client, signed_in_client, st_thomas, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path
    fr = complete_individual_request(st_thomas, _senco())
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    page = senco_client.post(_url("attachments", fr.pk), {"upload": fake}).content.decode()
    assert "must be a PDF, a Word document, or a JPEG or PNG image" in page
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    upload = SimpleUploadedFile("plan.docx", docx.getvalue(), content_type="application/octet-stream")
    assert senco_client.post(_url("attachments", fr.pk), {"upload": upload}).status_code == 302
    attachment = Attachment.objects.get(funding_request=fr)
    assert attachment.content_type.endswith("wordprocessingml.document")
    assert str(tmp_path) in attachment.file.path and "plan" not in attachment.file.name
    response = senco_client.get(_url("download-attachment", attachment.token))
    assert response.status_code == 200 and b"".join(response.streaming_content) == docx.getvalue()
    assert response["X-Content-Type-Options"] == "nosniff"
    other = signed_in_client(OTHER_SENCO)
    assert other.get(_url("download-attachment", attachment.token)).status_code == 404
    assert AuditEvent.objects.filter(action="request.attachment_added", object_id=str(fr.pk)).exists()


def test_list_queries_do_not_grow_with_rows(signed_in_client, st_thomas):
    admin_client = signed_in_client("cluster14.admin@kirklees.example")
    url = _url("all")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url, {"request_type": "individual"}).status_code == 200
        return len(captured)

    first = complete_individual_request(st_thomas, _senco())
    services.submit_request(funding_request=first, acting_user=_senco())
    before = queries()
    for reference in ["ST-23-042", "ST-22-088"]:
        more = complete_individual_request(st_thomas, _senco(), pupil_reference=reference)
        services.submit_request(funding_request=more, acting_user=_senco())
    assert queries() == before


def test_list_filters_by_status_type_and_area(signed_in_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    services.submit_request(funding_request=fr, acting_user=_senco())
    admin_client = signed_in_client("cluster14.admin@kirklees.example")
    assert fr.reference in admin_client.get(_url("all"), {"area": fr.primary_area}).content.decode()
    assert fr.reference not in admin_client.get(_url("all"), {"area": "sensory_physical"}).content.decode()
    assert fr.reference not in admin_client.get(_url("all"), {"status": "withdrawn"}).content.decode()
    assert (
        fr.reference
        not in admin_client.get(_url("all"), {"request_type": RequestType.GROUP}).content.decode()
    )


def test_the_council_keys_in_a_paper_request_from_the_schools_page(signed_in_client, st_thomas):
    paper_link = "Key in a request received on paper from St Thomas CE Primary School"
    school_page = reverse("organisations:school", args=[st_thomas.pk])
    assert paper_link not in signed_in_client(SENCO).get(school_page).content.decode()
    admin = signed_in_client("send.admin@kirklees.example")
    assert paper_link in admin.get(school_page).content.decode()
    response = admin.post(_url("start", st_thomas.pk), {"request_type": "advice", "title": "Phone referral"})
    fr = FundingRequest.objects.get(title="Phone referral")
    assert fr.entered_on_paper and response["Location"] == _url("request", fr.pk)
    assert "keyed in from a paper form" in admin.get(_url("request", fr.pk)).content.decode()


def test_a_stoke_contingency_request_chooses_the_city_meeting(signed_in_client):
    stoke = signed_in_client("senco.abbeyhulton@stoke.example")
    school = School.objects.get(urn=146487)
    stoke.post(_url("start", school.pk), {"request_type": "contingency", "title": "New arrival"})
    fr = FundingRequest.objects.get(title="New arrival", lead_school=school)
    assert "Which meeting should hear it?" in stoke.get(_url("need", fr.pk)).content.decode()
    stoke.post(
        _url("need", fr.pk),
        {
            "title": "New arrival",
            "need": "Arrived with no records.",
            "primary_area": "semh",
            "to_city_meeting": "True",
        },
    )
    fr.refresh_from_db()
    assert fr.to_city_meeting
    assert "The next city meeting" in stoke.get(_url("check", fr.pk)).content.decode()


def test_changing_a_line_shows_pounds_and_saving_it_unchanged_changes_nothing(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    services.submit_request(funding_request=fr, acting_user=_senco())
    line = fr.provision_lines.get()
    page = senco_client.get(_url("change-line", fr.pk, line.pk)).content.decode()
    assert 'value="25.50"' in page and 'value="20"' in page
    form = {
        "what": line.what,
        "provider": line.provider,
        "units": "20",
        "unit_cost": "25.50",
        "term": line.term_id,
    }
    response = senco_client.post(_url("change-line", fr.pk, line.pk), form)
    assert response.status_code == 302
    line.refresh_from_db()
    fr.refresh_from_db()
    assert (line.unit_cost_pence, line.total_pence, fr.version) == (2550, 51000, 1)
    assert "Nothing was different" in senco_client.get(_url("request", fr.pk)).content.decode()
    assert "2E+1" not in senco_client.get(_url("request", fr.pk)).content.decode()


def test_a_change_from_check_your_answers_returns_there(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    page = senco_client.get(_url("check", fr.pk)).content.decode()
    assert _url("need", fr.pk) + "?from=check" in page
    response = senco_client.post(
        _url("need", fr.pk) + "?from=check",
        {"title": fr.title, "need": "Changed from the check page.", "primary_area": fr.primary_area},
    )
    assert response["Location"] == _url("check", fr.pk)


def test_a_draft_withdrawn_before_submission_stays_the_schools_own(senco_client, signed_in_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    senco_client.post(_url("withdraw", fr.pk), {"reason": "Not needed after all"})
    fr.refresh_from_db()
    assert fr.status == RequestStatus.WITHDRAWN
    for email in [
        "cluster14.admin@kirklees.example",
        "send.admin@kirklees.example",
        "head.ashbrow@kirklees.example",
    ]:
        assert signed_in_client(email).get(_url("request", fr.pk)).status_code == 404, email
    history = signed_in_client(SENCO).get(_url("history", fr.pk)).content.decode()
    assert "Withdrawn: Not needed after all" in history


def test_only_group_and_project_requests_take_joint_schools(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    assert senco_client.get(_url("joint-schools", fr.pk)).status_code == 404
    with pytest.raises(services.RequestError, match="Only group and project"):
        services.invite_school(
            funding_request=fr, school=School.objects.get(urn=107626), acting_user=_senco()
        )


def test_a_downloaded_document_has_a_safe_name_and_the_download_is_audited(
    senco_client, st_thomas, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path
    fr = complete_individual_request(st_thomas, _senco())
    upload = SimpleUploadedFile("evil<i>.html", PDF, content_type="text/html")
    senco_client.post(_url("attachments", fr.pk), {"upload": upload})
    attachment = Attachment.objects.get(funding_request=fr)
    assert attachment.original_name == "evil-i.pdf"
    response = senco_client.get(_url("download-attachment", attachment.token))
    assert 'filename="evil-i.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="request.document_downloaded", object_id=str(fr.pk)).exists()


def test_remove_buttons_take_things_off_and_go_back_to_their_list(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    outcome, line = fr.outcomes.get(), fr.provision_lines.get()
    response = senco_client.post(_url("remove-outcome", fr.pk, outcome.pk))
    assert response["Location"] == _url("outcomes", fr.pk) and not fr.outcomes.exists()
    response = senco_client.post(_url("remove-line", fr.pk, line.pk))
    assert response["Location"] == _url("provision", fr.pk) and not fr.provision_lines.exists()
    assert "removed" in senco_client.get(_url("provision", fr.pk)).content.decode()
