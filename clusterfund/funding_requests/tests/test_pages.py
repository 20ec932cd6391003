"""The request pages as a SENCO uses them: every page's HTML is checked by the client fixture."""

import datetime
import html
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


def _text(response):
    """The page as a person reads it: entities such as &#39; turned back into characters."""
    return html.unescape(response.content.decode())


def _submitted(st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    services.submit_request(funding_request=fr, acting_user=_senco())
    fr.refresh_from_db()
    return fr


def test_after_submission_removing_the_only_outcome_or_line_is_refused_in_a_banner(senco_client, st_thomas):
    fr = _submitted(st_thomas)
    outcome, line = fr.outcomes.get(), fr.provision_lines.get()
    response = senco_client.post(_url("remove-outcome", fr.pk, outcome.pk), follow=True)
    page = _text(response)
    assert "This change was not saved, because a submitted request must stay complete." in page
    assert "Add at least one outcome that can be checked." in page
    response = senco_client.post(_url("remove-line", fr.pk, line.pk), follow=True)
    assert "Add the costed provision and the dates the support would start and end." in _text(response)
    fr.refresh_from_db()
    assert fr.outcomes.exists() and fr.provision_lines.exists() and fr.version == 1


def test_after_submission_dates_leaving_a_line_outside_them_are_shown_in_the_error_summary(
    senco_client, st_thomas
):
    fr = _submitted(st_thomas)
    year = fr.academic_year
    summer = year.terms.get(number=3).half_terms.order_by("starts_on").first().starts_on
    response = senco_client.post(
        _url("dates", fr.pk), {**_date("start_date", summer), **_date("end_date", year.ends_on)}
    )
    page = _text(response)
    assert response.status_code == 200 and "There is a problem" in page
    summary = page[page.index("govuk-error-summary") : page.index("</form>")]
    assert "This change was not saved, because a submitted request must stay complete" in summary
    assert "is costed in the spring term, outside the dates the support runs" in summary
    fr.refresh_from_db()
    assert fr.version == 1 and fr.start_date != summer


def test_after_submission_a_new_pupil_comes_with_their_parents_agreement(senco_client, st_thomas):
    fr = _submitted(st_thomas)
    other = Pupil.objects.get(reference="ST-23-042")
    page = _text(senco_client.get(_url("pupils", fr.pk)))
    assert "Date the new pupil's parent or carer agreed" in page
    response = senco_client.post(_url("pupils", fr.pk), {"pupils": other.pk})
    page = _text(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert services.NEW_PUPILS_NEED_CONSENT in page and 'href="#id_consent_date-day"' in page
    assert list(fr.pupils.values_list("reference", flat=True)) == ["ST-24-017"]
    today = datetime.date.today()
    response = senco_client.post(
        _url("pupils", fr.pk),
        {"pupils": other.pk, **_date("consent_date", today), "consent_method": "phone"},
    )
    assert response.status_code == 302
    fr.refresh_from_db()
    assert (fr.version, fr.consent_date, fr.consent_method) == (2, today, "phone")


def test_on_a_draft_adding_a_pupil_asks_for_the_agreement_again(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    other = Pupil.objects.get(reference="ST-23-042")
    assert "Date the new pupil" not in _text(senco_client.get(_url("pupils", fr.pk)))
    page = _text(senco_client.post(_url("pupils", fr.pk), {"pupils": other.pk}, follow=True))
    assert "record the parent's or carer's agreement again for the new pupils" in page
    assert "Record the parent's or carer's agreement to the referral" in page
    fr.refresh_from_db()
    assert fr.consent_date is None


def test_a_cluster_admin_keying_in_a_paper_request_is_told_who_adds_pupils(signed_in_client, st_thomas):
    admin = signed_in_client("cluster14.admin@kirklees.example")
    admin.post(_url("start", st_thomas.pk), {"request_type": "individual", "title": "Paper referral"})
    fr = FundingRequest.objects.get(title="Paper referral")
    page = _text(admin.get(_url("pupils", fr.pk)))
    assert (
        "ask the school's SENCO to add them" in page and "choose a pupil the school has already added" in page
    )
    assert reverse("pupils:add", args=[st_thomas.pk]) not in page
    assert admin.get(reverse("pupils:add", args=[st_thomas.pk])).status_code == 404
    senco_page = _text(signed_in_client(SENCO).get(_url("pupils", fr.pk)))
    assert reverse("pupils:add", args=[st_thomas.pk]) in senco_page and "SENCO to add" not in senco_page


def test_the_task_list_says_truly_who_can_see_the_draft(signed_in_client, st_thomas):
    senco = signed_in_client(SENCO)
    own = services.start_request(
        school=st_thomas, request_type=RequestType.GROUP, title="Own", acting_user=_senco()
    )
    assert "Until it is submitted, only your school can see it." in _text(senco.get(_url("request", own.pk)))
    services.invite_school(funding_request=own, school=School.objects.get(urn=107626), acting_user=_senco())
    page = _text(senco.get(_url("request", own.pk)))
    assert "only your school and the schools you invite to join it can see it" in page
    assert "Only your school will ever see it" not in page
    admin = signed_in_client("cluster14.admin@kirklees.example")
    admin.post(_url("start", st_thomas.pk), {"request_type": "advice", "title": "Paper one"})
    paper = FundingRequest.objects.get(title="Paper one")
    page = _text(admin.get(_url("request", paper.pk)))
    assert (
        "the council's SEND team and the cluster's admin, chair and Team Around the Cluster can see it"
        in page
    )
    # The cluster admin may not withdraw it, so is not offered the link.
    assert _url("withdraw", paper.pk) not in page


def test_pupils_on_a_request_show_their_ehc_plan_status_as_written(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    page = _text(senco_client.get(_url("check", fr.pk)))
    status = Pupil.objects.get(reference="ST-24-017").get_ehc_status_display()
    assert f", {status}" in page and "ehc plan" not in page.replace(status, "")


def test_tampered_choices_get_plain_messages(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    for name, data, message in [
        ("start", {"request_type": "loan", "title": "X"}, "Choose what kind of request it is"),
        ("need", {"title": "T", "need": "N", "primary_area": "nonsense"}, "Choose the main area of need"),
        (
            "need",
            {"title": "T", "need": "N", "primary_area": "semh", "other_areas": ["nonsense"]},
            "Choose other areas of need from the list",
        ),
        (
            "consent",
            {**_date("consent_date", datetime.date.today()), "consent_method": "pigeon"},
            "Choose how the agreement was recorded",
        ),
    ]:
        args = (st_thomas.pk,) if name == "start" else (fr.pk,)
        page = _text(senco_client.post(_url(name, *args), data))
        assert "There is a problem" in page and message in page, name
        assert "Select a valid choice" not in page, name


def test_money_with_misplaced_commas_or_other_notations_is_refused(senco_client, st_thomas):
    fr = complete_individual_request(st_thomas, _senco())
    term = fr.academic_year.terms.get(number=2)
    for cost in ["12,50", "1e3", "1_000"]:
        response = senco_client.post(
            _url("add-line", fr.pk),
            {"what": "Sessions", "provider": "Staff", "units": "2", "unit_cost": cost, "term": term.pk},
        )
        assert "Cost of one hour or unit must be an amount in pounds and pence, like 25.50" in _text(response)
    response = senco_client.post(
        _url("add-line", fr.pk),
        {"what": "Sessions", "provider": "Staff", "units": "2", "unit_cost": "£1,250.00", "term": term.pk},
    )
    assert response.status_code == 302
    assert fr.provision_lines.get(what="Sessions").unit_cost_pence == 125000


def _joint_group(st_thomas):
    group = services.start_request(
        school=st_thomas, request_type=RequestType.GROUP, title="Transition", acting_user=_senco()
    )
    services.invite_school(funding_request=group, school=School.objects.get(urn=107626), acting_user=_senco())
    return group


def test_a_joint_school_confirms_its_pupils_with_their_parents_agreement(signed_in_client, st_thomas):
    group = _joint_group(st_thomas)
    birkby = signed_in_client(OTHER_SENCO)
    page = _text(birkby.get(_url("answer-invitation", group.pk)))
    assert "Date your pupils' parents or carers agreed" in page
    response = birkby.post(
        _url("answer-invitation", group.pk), {"answer": "confirm", "part": "Our pupil joins"}
    )
    page = _text(response)
    assert response.status_code == 200 and "There is a problem" in page
    for message in [
        "Choose at least one of your school's pupils who joins the group",
        "Enter the date the parent or carer agreed",
        "Choose how the agreement was recorded",
    ]:
        assert message in page
    pupil = Pupil.objects.get(reference="BJ-0419")
    response = birkby.post(
        _url("answer-invitation", group.pk),
        {
            "answer": "confirm",
            "part": "Our pupil joins",
            "pupils": [pupil.pk],
            **_date("consent_date", datetime.date.today()),
            "consent_method": "signed_form",
        },
    )
    assert response.status_code == 302
    joint = group.joint_schools.get()
    assert (joint.answer, joint.consent_method) == ("confirmed", "signed_form")
    assert "Its pupils' parents or carers agreed" in _text(birkby.get(_url("request", group.pk)))


def test_after_submission_the_invited_school_is_told_its_part_is_settled(signed_in_client, st_thomas):
    from clusterfund.accounts.models import User
    from clusterfund.funding_requests.tests.builders import complete_joint_group_request

    group = complete_joint_group_request(
        st_thomas,
        _senco(),
        joining=School.objects.get(urn=107626),
        joining_senco=User.objects.get(email=OTHER_SENCO),
    )
    services.submit_request(funding_request=group, acting_user=_senco())
    birkby = signed_in_client(OTHER_SENCO)
    for response in (
        birkby.get(_url("answer-invitation", group.pk)),
        birkby.post(_url("answer-invitation", group.pk), {"answer": "decline"}),
    ):
        page = _text(response)
        assert response.status_code == 403
        assert "This request has been submitted, so your school's part can no longer be changed." in page
        assert "Your role does not allow this" not in page
    assert group.joint_schools.get().answer == "confirmed"
