"""The vote: opening on quorum, ballots without withheld lines, corrections, the count, the decisions with
their awards and emails, the minutes, and the ballot export that anyone can recount."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from clusterfund.audit.models import AuditEvent
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.meetings import services
from clusterfund.meetings.models import BallotLine, ItemOutcome
from clusterfund.meetings.tests.test_meetings import K_CLUSTER_ADMIN, K_SENCO, _ready_request
from clusterfund.money.models import Award
from clusterfund.organisations.models import School

K_CHAIR = "head.ashbrow@kirklees.example"
K_BIRKBY = "senco.birkbyjunior@kirklees.example"


@pytest.fixture
def frozen(db, user_by_email):
    """A Cluster 14 meeting with St Thomas's request (£400 recommended) on a frozen agenda and every member
    school present."""
    admin = user_by_email(K_CLUSTER_ADMIN)
    fr = _ready_request(user_by_email)
    meeting = fr.meeting
    services.build_agenda(meeting=meeting, acting_user=admin)
    services.freeze_agenda(meeting=meeting, acting_user=admin)
    schools = list(
        School.objects.filter(
            memberships__cluster=meeting.cluster, memberships__academic_year=meeting.academic_year
        )
    )
    for school in schools:
        services.record_attendance(meeting=meeting, school=school, mode="in_person", acting_user=admin)
    meeting.refresh_from_db()
    return meeting, fr, schools


def _vote_all(meeting, schools, admin, choose):
    items = list(meeting.items.filter(outcome=""))
    for school in schools:
        choices = {item.pk: choose(school, item) for item in items if school.pk in item.eligible_school_ids}
        services.cast_ballot(
            meeting=meeting, school=school, choices=choices, recorded_as="show_of_hands", acting_user=admin
        )


def test_the_vote_opens_only_when_quorate_and_frozen(db, user_by_email):
    from clusterfund.meetings.models import Meeting

    chair = user_by_email(K_CHAIR)
    meeting = Meeting.objects.filter(cluster__slug="cluster-14", status="planned", frozen_at=None).first()
    with pytest.raises(services.MeetingError, match="Freeze the agenda"):
        services.open_vote(meeting=meeting, acting_user=chair)
    with pytest.raises(services.MeetingError, match="Only the chair"):
        services.open_vote(meeting=meeting, acting_user=user_by_email(K_SENCO))


def test_a_school_never_votes_on_its_own_request_and_the_line_is_never_stored(frozen, user_by_email):
    meeting, fr, schools = frozen
    chair, admin = user_by_email(K_CHAIR), user_by_email(K_CLUSTER_ADMIN)
    services.open_vote(meeting=meeting, acting_user=chair)
    item = meeting.items.get(funding_request=fr)
    st_thomas = School.objects.get(pk=fr.lead_school_id)
    with pytest.raises(services.MeetingInvalid) as refused:
        services.cast_ballot(
            meeting=meeting,
            school=st_thomas,
            choices={item.pk: "for"},
            recorded_as="show_of_hands",
            acting_user=admin,
        )
    assert refused.value.errors == {f"item_{item.pk}": "This school cannot vote on this item"}
    assert not BallotLine.objects.filter(ballot__school=st_thomas, ballot__meeting=meeting).exists()
    # St Thomas's SENCO may cast a ballot, which simply has no line for its own request
    others = [i for i in meeting.items.filter(outcome="") if st_thomas.pk in i.eligible_school_ids]
    senco = user_by_email(K_SENCO)
    ballot = services.cast_ballot(
        meeting=meeting,
        school=st_thomas,
        choices={i.pk: "abstain" for i in others},
        recorded_as="by_school",
        acting_user=senco,
    )
    assert item.pk not in set(ballot.lines.values_list("item_id", flat=True))
    # a school's staff cannot cast another school's ballot
    with pytest.raises(services.MeetingError, match="own staff"):
        services.cast_ballot(
            meeting=meeting, school=schools[0], choices={}, recorded_as="by_school", acting_user=senco
        )


def test_a_correction_is_audited_and_a_missing_choice_is_named(frozen, user_by_email):
    meeting, fr, schools = frozen
    admin = user_by_email(K_CLUSTER_ADMIN)
    services.open_vote(meeting=meeting, acting_user=user_by_email(K_CHAIR))
    voter = next(s for s in schools if s.pk != fr.lead_school_id)
    item = meeting.items.get(funding_request=fr)
    with pytest.raises(services.MeetingInvalid) as refused:
        services.cast_ballot(
            meeting=meeting, school=voter, choices={}, recorded_as="paper", acting_user=admin
        )
    assert f"item_{item.pk}" in refused.value.errors
    everything = {i.pk: "for" for i in meeting.items.filter(outcome="") if voter.pk in i.eligible_school_ids}
    services.cast_ballot(
        meeting=meeting, school=voter, choices=everything, recorded_as="paper", acting_user=admin
    )
    changed = {**everything, item.pk: "abstain"}
    ballot = services.cast_ballot(
        meeting=meeting, school=voter, choices=changed, recorded_as="paper", acting_user=admin
    )
    assert ballot.corrections == 1
    event = AuditEvent.objects.filter(action="meeting.ballot_corrected").latest("pk")
    assert event.before["lines"][fr.reference] == "for" and event.after["lines"][fr.reference] == "abstain"


def test_a_meeting_from_vote_to_published_minutes(frozen, user_by_email, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    meeting, fr, schools = frozen
    chair, admin = user_by_email(K_CHAIR), user_by_email(K_CLUSTER_ADMIN)
    services.open_vote(meeting=meeting, acting_user=chair)
    meeting.refresh_from_db()
    assert meeting.quorum_present == len(schools) and meeting.quorum_needed == 6
    assert sorted(meeting.pseudonyms.values()) == sorted(f"V{k}" for k in range(1, len(schools) + 1))
    _vote_all(
        meeting, schools, admin, lambda school, item: "for" if item.funding_request_id == fr.pk else "abstain"
    )
    with pytest.raises(services.MeetingError, match="Close the vote"):
        services.record_decisions(meeting=meeting, acting_user=admin)
    services.close_vote(meeting=meeting, acting_user=chair)
    meeting.refresh_from_db()
    item = meeting.items.get(funding_request=fr)
    assert item.outcome in (ItemOutcome.APPROVED, ItemOutcome.PART_APPROVED)
    assert item.funded_pence == 40_000 and item.votes_for == 10
    assert item.outcome_note.startswith("Funded")
    assert len(meeting.fingerprint) == 64
    with pytest.raises(services.MeetingError, match="closed"):
        services.cast_ballot(
            meeting=meeting, school=schools[0], choices={}, recorded_as="paper", acting_user=admin
        )

    # the public export has no eligibility and anyone can recount it; the auditor's adds eligibility
    count = meeting.result["counts"][0]
    assert "eligible" not in count["public_pb"] and "eligible" in count["auditor_pb"]
    for text in (count["public_pb"], count["auditor_pb"]):
        path = tmp_path / "meeting.pb"
        path.write_text(text, encoding="utf-8")
        out = io.StringIO()
        call_command("recount", str(path), rule="equal-shares", stdout=out)
        assert set(out.getvalue().split()) == set(count["funded"])
    assert not any(school.name in count["public_pb"] for school in schools)

    with transaction_committed():
        services.record_decisions(meeting=meeting, acting_user=admin)
    fr.refresh_from_db()
    assert fr.status in (RequestStatus.APPROVED, RequestStatus.PART_APPROVED)
    award = Award.objects.get(funding_request=fr)
    assert award.entries.get().amount_pence == 40_000
    (message,) = [message for message in mail.outbox if fr.reference in message.subject]
    # The school can follow the email straight to its request.
    assert f"{settings.SITE_URL}/requests/{fr.pk}/" in message.body

    services.add_action(
        meeting=meeting,
        text="Share the visual timetable",
        owner="Ashbrow",
        due_on=meeting.held_on,
        acting_user=admin,
    )
    with pytest.raises(services.MeetingError, match="Only the chair"):
        services.approve_minutes(meeting=meeting, notes="", acting_user=admin)
    services.approve_minutes(meeting=meeting, notes="Agreed.", acting_user=chair)
    meeting.refresh_from_db()
    assert meeting.stage == "published"


def test_deferred_and_advice_items_stay_off_the_ballot(frozen, user_by_email):
    meeting, fr, schools = frozen
    chair, admin = user_by_email(K_CHAIR), user_by_email(K_CLUSTER_ADMIN)
    item = meeting.items.get(funding_request=fr)
    with pytest.raises(services.MeetingInvalid, match="why"):
        services.decide_without_vote(item=item, outcome="deferred", note="", acting_user=chair)
    services.decide_without_vote(
        item=item, outcome="deferred", note="Waiting for the EP report", acting_user=chair
    )
    if not meeting.items.filter(outcome="").exists():
        with pytest.raises(services.MeetingError, match="No item is left"):
            services.open_vote(meeting=meeting, acting_user=chair)
        return
    services.open_vote(meeting=meeting, acting_user=chair)
    voter = next(s for s in schools if s.pk != fr.lead_school_id)
    with pytest.raises(services.MeetingInvalid):
        services.cast_ballot(
            meeting=meeting, school=voter, choices={item.pk: "for"}, recorded_as="paper", acting_user=admin
        )


class transaction_committed:
    """Run on-commit callbacks inside a test's transaction."""

    def __enter__(self):
        from django.test import TestCase

        self._context = TestCase.captureOnCommitCallbacks(execute=True)
        return self._context.__enter__()

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def test_a_blind_meetings_pages_name_no_submitting_school_and_only_auditors_get_eligibility(
    db, user_by_email, signed_in_client
):
    from django.urls import reverse

    from clusterfund.meetings.models import Meeting
    from clusterfund.organisations.models import Cluster

    admin, chair = user_by_email("central.admin@stoke.example"), user_by_email("locality.lead@stoke.example")
    cluster = Cluster.objects.get(slug="central-cluster")
    meeting = (
        Meeting.objects.filter(cluster=cluster, status="planned", frozen_at=None)
        .exclude(kind="ideas")
        .filter(requests__status="ready_for_meeting")
        .first()
    )
    services.build_agenda(meeting=meeting, acting_user=admin)
    services.freeze_agenda(meeting=meeting, acting_user=admin)
    schools = list(
        School.objects.filter(memberships__cluster=cluster, memberships__academic_year=meeting.academic_year)
    )
    services.set_attendance(
        meeting=meeting, modes={s.pk: "online" for s in schools}, other_attendees="", acting_user=admin
    )
    services.open_vote(meeting=meeting, acting_user=chair)
    meeting.refresh_from_db()
    _vote_all(meeting, schools, admin, lambda school, item: "for" if school.pk % 2 else "abstain")
    services.close_vote(meeting=meeting, acting_user=chair)
    leads = {item.funding_request.lead_school.name for item in meeting.items.all()}

    senco = signed_in_client("senco.etruscan@stoke.example")
    args = [cluster.pk, meeting.pk]
    for name in ("meetings:meeting", "meetings:minutes"):
        page = senco.get(reverse(name, args=args)).content.decode()
        assert "Some schools" in page and "not eligible to vote on some items" in page
        assert "with who could vote on what" not in page
        for item in meeting.items.all():
            assert item.funding_request.title not in page
    public = senco.get(reverse("meetings:ballot_export", args=[*args, 0, "public"]))
    assert public.status_code == 200 and "eligible" not in public.content.decode()
    assert not any(name in public.content.decode() for name in leads)
    assert senco.get(reverse("meetings:ballot_export", args=[*args, 0, "auditor"])).status_code == 404
    auditor = signed_in_client("auditor@stoke.example")
    audit = auditor.get(reverse("meetings:ballot_export", args=[*args, 0, "auditor"]))
    assert audit.status_code == 200 and "eligible" in audit.content.decode()


def test_chairs_action_between_meetings_is_funded_and_listed_for_ratification(db, user_by_email):
    from clusterfund.accounts.models import RoleAssignment, User

    chair = user_by_email(K_CHAIR)
    fr = _ready_request(user_by_email)
    council = fr.cluster.council
    with pytest.raises(services.MeetingError, match="does not allow"):
        services.take_chairs_action(
            funding_request=fr, heads=[], amount_pence=10_000, reason="Urgent", acting_user=chair
        )
    council.chairs_action_limit_pence = 50_000
    council.save()
    fr.is_urgent = True
    fr.save()
    birkby = user_by_email(K_BIRKBY)
    other_school = (
        School.objects.filter(memberships__cluster=fr.cluster, memberships__academic_year=fr.academic_year)
        .exclude(
            pk__in=[
                fr.lead_school_id,
                *RoleAssignment.objects.filter(user__in=[birkby, chair]).values_list("school_id", flat=True),
            ]
        )
        .first()
    )
    head = User.objects.create_user("head.other@kirklees.example", "x" * 20, full_name="A Head")
    RoleAssignment.objects.create(user=head, role="school_staff", council=council, school=other_school)
    senco = user_by_email(K_SENCO)  # St Thomas: the request's own school
    with pytest.raises(services.MeetingInvalid) as refused:
        services.take_chairs_action(
            funding_request=fr, heads=[birkby, senco], amount_pence=60_000, reason="", acting_user=chair
        )
    assert set(refused.value.errors) == {"heads", "amount_pence", "reason"}
    action = services.take_chairs_action(
        funding_request=fr,
        heads=[birkby, head],
        amount_pence=40_000,
        reason="Exclusion risk",
        acting_user=chair,
    )
    fr.refresh_from_db()
    assert fr.status == RequestStatus.APPROVED
    assert Award.objects.get(funding_request=fr).entries.get().amount_pence == 40_000
    assert action.ratify_at is not None and action.ratify_at.held_on >= action.decided_at.date()


def test_a_meeting_for_sharing_ideas_does_not_vote_and_a_meeting_that_voted_stays_as_it_was(
    db, user_by_email
):
    from clusterfund.meetings.models import Meeting

    admin = user_by_email("central.admin@stoke.example")
    ideas = Meeting.objects.filter(cluster__slug="central-cluster", kind="ideas", frozen_at=None).first()
    with pytest.raises(services.MeetingError, match="does not decide funding"):
        services.build_agenda(meeting=ideas, acting_user=admin)
    with pytest.raises(services.MeetingError, match="does not decide funding"):
        services.freeze_agenda(meeting=ideas, acting_user=admin)
    voted = Meeting.objects.filter(cluster__slug="central-cluster").exclude(vote_opened_at=None).first()
    with pytest.raises(services.MeetingError, match="cannot be cancelled"):
        services.cancel_meeting(meeting=voted, reason="Snow", acting_user=admin)


def test_the_chairs_action_page(db, user_by_email, signed_in_client):
    from django.urls import reverse

    fr = _ready_request(user_by_email)
    fr.is_urgent = True
    fr.save()
    council = fr.cluster.council
    council.chairs_action_limit_pence = 10_000
    council.save()
    url = reverse("meetings:chairs_action", args=[fr.cluster_id, fr.pk])
    assert signed_in_client(K_CLUSTER_ADMIN).get(url).status_code == 404
    chair = signed_in_client(K_CHAIR)
    listing = chair.get(reverse("meetings:list", args=[fr.cluster_id])).content.decode()
    assert "Urgent requests for chair's action" in listing and fr.reference in listing
    page = chair.post(url, {"amount_pence": "600", "reason": ""}).content.decode()
    assert "Choose the two heads who agree" in page and "Say why it cannot wait" in page
    page = chair.post(url, {"amount_pence": "150", "reason": "Risk", "heads": [user_by_email(K_BIRKBY).pk]})
    text = page.content.decode()
    assert "limited to £100.00" in text and "two heads of two different schools" in text
    assert not Award.objects.filter(funding_request=fr).exists()


def test_a_request_is_on_one_undecided_agenda_and_cannot_be_withdrawn_once_frozen(frozen, user_by_email):
    from clusterfund.funding_requests import services as requests
    from clusterfund.funding_requests.lifecycle import StateTransitionError
    from clusterfund.meetings.models import Meeting

    meeting, fr, _ = frozen
    later = (
        Meeting.objects.filter(cluster=meeting.cluster, held_on__gt=meeting.held_on, status="planned")
        .exclude(kind="ideas")
        .first()
    )
    services.build_agenda(meeting=later, acting_user=user_by_email(K_CLUSTER_ADMIN))
    assert not later.items.filter(funding_request=fr).exists()
    with pytest.raises(StateTransitionError, match="frozen agenda"):
        requests.withdraw_request(
            funding_request=fr, reason="No longer needed", acting_user=user_by_email(K_SENCO)
        )


def test_a_refused_decision_is_a_readable_refusal_and_records_nothing(frozen, user_by_email):
    from clusterfund.funding_requests.models import FundingRequest

    meeting, fr, schools = frozen
    chair, admin = user_by_email(K_CHAIR), user_by_email(K_CLUSTER_ADMIN)
    services.open_vote(meeting=meeting, acting_user=chair)
    meeting.refresh_from_db()
    _vote_all(meeting, schools, admin, lambda school, item: "for")
    services.close_vote(meeting=meeting, acting_user=chair)
    FundingRequest.objects.filter(pk=fr.pk).update(status="withdrawn")  # as if withdrawn by another route
    with pytest.raises(services.MeetingError, match=fr.reference):
        services.record_decisions(meeting=meeting, acting_user=admin)
    meeting.refresh_from_db()
    assert meeting.decisions_recorded_at is None and not Award.objects.filter(funding_request=fr).exists()


def test_a_city_meeting_hears_contingency_requests_from_every_cluster(db, user_by_email):
    from clusterfund.funding_requests.models import FundingRequest
    from clusterfund.meetings.models import Meeting

    fr = FundingRequest.objects.filter(council__slug="stoke-on-trent", status="ready_for_meeting").first()
    FundingRequest.objects.filter(pk=fr.pk).update(
        request_type="contingency", to_city_meeting=True, meeting=None
    )
    city = Meeting.objects.filter(cluster__slug="city-pool", status="planned").first()
    added = services.build_agenda(meeting=city, acting_user=user_by_email("central.admin@stoke.example"))
    assert fr.pk in {item.funding_request_id for item in added}


def test_a_chair_never_approves_their_own_schools_request_nor_more_than_was_asked(db, user_by_email):
    from clusterfund.accounts.models import RoleAssignment

    chair = user_by_email(K_CHAIR)
    fr = _ready_request(user_by_email)
    fr.cluster.council.chairs_action_limit_pence = 10_000_000
    fr.cluster.council.save()
    fr.is_urgent = True
    fr.save()
    asked = sum(fr.provision_lines.values_list("total_pence", flat=True))
    with pytest.raises(services.MeetingInvalid) as refused:
        services.take_chairs_action(
            funding_request=fr, heads=[], amount_pence=asked + 1, reason="Urgent", acting_user=chair
        )
    assert "no more than" in refused.value.errors["amount_pence"]
    RoleAssignment.objects.create(
        user=chair, role="school_staff", council=fr.council, school_id=fr.lead_school_id
    )
    from clusterfund.accounts.permissions import forget_scope

    forget_scope(chair)
    with pytest.raises(services.MeetingError, match="own school"):
        services.take_chairs_action(
            funding_request=fr, heads=[], amount_pence=asked, reason="Urgent", acting_user=chair
        )


def test_the_council_sets_the_rules_for_meetings(db, user_by_email, signed_in_client):
    from django.urls import reverse

    from clusterfund.organisations.models import Council

    client = signed_in_client("send.admin@kirklees.example")
    url = reverse("meetings:rules", args=["kirklees"])
    page = client.post(
        url, {"counting_method": "raffle", "quorum_percent": "0", "chairs_action_limit_pence": "-5"}
    )
    text = page.content.decode()
    assert "Choose how the vote is counted" in text and "from 1 to 100 per cent" in text
    assert Council.objects.get(slug="kirklees").counting_method == "equal-shares"
    response = client.post(
        url, {"counting_method": "greedy", "quorum_percent": "60", "chairs_action_limit_pence": "2,000"}
    )
    assert response.status_code == 302
    council = Council.objects.get(slug="kirklees")
    assert (council.counting_method, council.quorum_percent, council.chairs_action_limit_pence) == (
        "greedy",
        60,
        200_000,
    )
    assert "greedy" in client.get(reverse("triage:scheme", args=["kirklees"])).content.decode().lower()
