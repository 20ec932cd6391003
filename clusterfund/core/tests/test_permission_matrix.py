"""Every URL, fetched as every demo role and signed out, gives the expected answer.

Another scope's object is 404, a forbidden action 403, and signed-out people go to sign in. A URL that
is added without an entry here fails `test_every_url_is_in_the_matrix`.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clusterfund.demo.loader import SCHEMES

ANONYMOUS = "signed out"
EMAILS = [account.email for scheme in SCHEMES for account in scheme.accounts]

K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
K_CLUSTER_ADMIN, K_CHAIR = "cluster14.admin@kirklees.example", "head.ashbrow@kirklees.example"
K_ST_THOMAS, K_BIRKBY, K_EP = (
    "senco.stthomas@kirklees.example",
    "senco.birkbyjunior@kirklees.example",
    "ep.cluster14@kirklees.example",
)
S_ADMIN, S_AUDITOR = "send.admin@stoke.example", "auditor@stoke.example"
KIRKLEES_CLUSTER_14 = {K_ADMIN, K_AUDITOR, K_CLUSTER_ADMIN, K_CHAIR, K_ST_THOMAS, K_BIRKBY, K_EP}
SEES_REQUEST = {K_ST_THOMAS, K_ADMIN, K_CLUSTER_ADMIN, K_CHAIR, K_EP}
SEES_BUT_CANNOT_CHANGE = dict.fromkeys(SEES_REQUEST - {K_ST_THOMAS}, 403)


def _school_pk(urn):
    from clusterfund.organisations.models import School

    return School.objects.get(urn=urn).pk


def _pupil_pk(reference):
    from clusterfund.pupils.models import Pupil

    return Pupil.objects.get(reference=reference).pk


def _cluster_pk(slug):
    from clusterfund.organisations.models import Cluster

    return Cluster.objects.get(slug=slug).pk


def _api_token_pk(email):
    """A token of that person's, made for the test (the demo has none)."""
    from clusterfund.accounts.models import User
    from clusterfund.accounts.services import create_api_token

    user = User.objects.get(email=email)
    token, _ = create_api_token(user=user, name="Matrix", acting_user=user)
    return token.pk


def _st_thomas_request(kind="submitted"):
    """A St Thomas request made for the test: `submitted` (individual), `draft` (individual), `project`
    (a draft) or `joint` (a group draft that invites Birkby Junior)."""
    from clusterfund.accounts.models import User
    from clusterfund.funding_requests import services
    from clusterfund.funding_requests.tests.builders import complete_individual_request
    from clusterfund.organisations.models import School

    senco, school = User.objects.get(email=K_ST_THOMAS), School.objects.get(urn=151801)
    if kind in ("project", "joint"):
        draft = services.start_request(
            school=school,
            request_type="project" if kind == "project" else "group",
            title="Test",
            acting_user=senco,
        )
        if kind == "joint":
            services.invite_school(
                funding_request=draft, school=School.objects.get(urn=107626), acting_user=senco
            )
        return draft
    funding_request = complete_individual_request(school, senco)
    if kind == "submitted":
        services.submit_request(funding_request=funding_request, acting_user=senco)
    return funding_request


def _request_pk(kind="submitted"):
    return _st_thomas_request(kind).pk


def _outcome_args():
    funding_request = _st_thomas_request()
    return [funding_request.pk, funding_request.outcomes.first().pk]


def _line_args():
    funding_request = _st_thomas_request()
    return [funding_request.pk, funding_request.provision_lines.first().pk]


def _invitation_args():
    funding_request = _st_thomas_request("joint")
    return [funding_request.pk, funding_request.joint_schools.first().pk]


def _attachment_token():
    import tempfile

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clusterfund.accounts.models import User
    from clusterfund.funding_requests import services

    settings.PRIVATE_FILES_ROOT = tempfile.mkdtemp(prefix="matrix-")
    funding_request = _st_thomas_request()
    attachment = services.add_attachment(
        funding_request=funding_request,
        upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n"),
        kind="application/pdf",
        description="",
        acting_user=User.objects.get(email=K_ST_THOMAS),
    )
    return attachment.token


def _request_and_token():
    from clusterfund.funding_requests.models import Attachment

    token = _attachment_token()
    return [Attachment.objects.get(token=token).funding_request_id, token]


def _kirklees_year():
    from clusterfund.organisations.models import AcademicYear

    return AcademicYear.objects.filter(council__slug="kirklees").current().start_year


def _kirklees_draft():
    """Kirklees with a draft formula for this year, made for the test."""
    from clusterfund.accounts.models import User
    from clusterfund.money import services
    from clusterfund.organisations.models import AcademicYear, Council

    council = Council.objects.get(slug="kirklees")
    year = AcademicYear.objects.filter(council=council).current()
    services.start_formula_draft(
        council=council, academic_year=year, acting_user=User.objects.get(email=K_ADMIN)
    )
    return ["kirklees", year.start_year]


def _st_thomas_award():
    """An award to St Thomas, made for the test from a submitted request."""
    from clusterfund.accounts.models import User
    from clusterfund.money import services

    funding_request = _st_thomas_request()
    award = services.make_award(
        funding_request=funding_request,
        amount_pence=1000,
        decided_on=datetime.date.today(),
        acting_user=User.objects.get(email=K_CLUSTER_ADMIN),
    )
    return [award.pk]


def _in_triage_pk(questions=False):
    """A submitted St Thomas request that the educational psychologist is triaging (or has sent questions
    back on)."""
    from clusterfund.accounts.models import User
    from clusterfund.organisations.models import TeamMember
    from clusterfund.triage import services as triage

    ep = User.objects.get(email=K_EP)
    funding_request = _st_thomas_request()
    triage.assign_members(
        funding_request=funding_request, members=[TeamMember.objects.get(user=ep)], acting_user=ep
    )
    if questions:
        triage.ask_for_more_information(funding_request=funding_request, questions="Why?", acting_user=ep)
    return funding_request.pk


def _st_thomas_resource():
    from clusterfund.accounts.models import User
    from clusterfund.organisations.models import School
    from clusterfund.triage import services as triage

    resource = triage.share_resource(
        school=School.objects.get(urn=151801),
        kind="room",
        title="Sensory room",
        description="Tuesdays",
        acting_user=User.objects.get(email=K_ST_THOMAS),
    )
    return resource


def _resource_request_args():
    from clusterfund.accounts.models import User
    from clusterfund.organisations.models import School
    from clusterfund.triage import services as triage

    resource = _st_thomas_resource()
    asked = triage.ask_for_resource(
        resource=resource,
        school=School.objects.get(urn=107626),
        note="Please",
        acting_user=User.objects.get(email=K_BIRKBY),
    )
    return [resource.pk, asked.pk]


def _ep_interest():
    from clusterfund.accounts.models import User
    from clusterfund.organisations.models import School
    from clusterfund.triage import services as triage

    ep = User.objects.get(email=K_EP)
    return [
        triage.declare_interest(
            person=ep, school=School.objects.get(urn=107626), description="Governor", acting_user=ep
        ).pk
    ]


def _kirklees_criterion():
    from clusterfund.organisations.models import Council
    from clusterfund.triage.models import Criterion

    council = Council.objects.get(slug="kirklees")
    return Criterion.objects.create(council=council, position=99, name="Test", descriptors=["Low", "High"]).pk


def _cluster_14_meeting():
    from clusterfund.meetings.models import Meeting

    meeting = Meeting.objects.filter(
        cluster__slug="cluster-14", vote_opened_at=None, status="planned"
    ).first()
    return [meeting.cluster_id, meeting.pk]


def _cluster_14_item():
    """A Cluster 14 meeting with its agenda built (as its admin), and the first item on it."""
    from clusterfund.accounts.models import User
    from clusterfund.meetings import services
    from clusterfund.meetings.models import Meeting

    meeting = Meeting.objects.filter(cluster__slug="cluster-14", frozen_at=None, status="planned").first()
    services.build_agenda(meeting=meeting, acting_user=User.objects.get(email=K_CLUSTER_ADMIN))
    item = meeting.items.first()
    return [meeting.cluster_id, meeting.pk, item.pk]


def _cluster_14_counted():
    """A Cluster 14 meeting whose vote is closed: the demo's past meetings."""
    from clusterfund.meetings.models import Meeting

    meeting = Meeting.objects.filter(cluster__slug="cluster-14").exclude(vote_closed_at=None).first()
    return [meeting.cluster_id, meeting.pk]


def _st_thomas_ballot():
    return [*_cluster_14_meeting(), _school_pk(151801)]


def _st_thomas_review():
    """An approved St Thomas request whose support the school has recorded as started: its first review."""
    import datetime

    from clusterfund.accounts.models import User
    from clusterfund.delivery import services
    from clusterfund.funding_requests.models import FundingRequest

    fr = FundingRequest.objects.filter(
        lead_school__urn=151801, status="approved", request_type="individual"
    ).first()
    services.record_delivery(
        funding_request=fr,
        started_on=datetime.date.today(),
        provider="school_staff",
        provider_name="",
        acting_user=User.objects.get(email=K_ST_THOMAS),
    )
    return [fr.pk, fr.impact_reviews.first().pk]


def _year_with_awards(slug):
    from clusterfund.money.models import Award

    return Award.objects.filter(pot__council__slug=slug).latest("decided_on").pot.academic_year.start_year


def everyone(status):
    return dict.fromkeys(EMAILS, status)


def only(allowed: set[str], status=200, otherwise=404, **exceptions):
    table = {email: (status if email in allowed else otherwise) for email in EMAILS}
    table.update(exceptions)
    return table


def _cluster_14_year():
    return [_cluster_pk("cluster-14"), _kirklees_year()]


def _cluster_14_open_review():
    """Cluster 14's review of last year, opened for the test (the demo's review of this year is closed):
    the review's arguments and St Thomas's invitation."""
    from clusterfund.accounts.models import User
    from clusterfund.organisations.models import AcademicYear, Cluster
    from clusterfund.reports import survey

    cluster = Cluster.objects.get(slug="cluster-14")
    year = AcademicYear.objects.get(council=cluster.council, start_year=_kirklees_year() - 1)
    review = survey.open_annual_review(
        cluster=cluster, academic_year=year, acting_user=User.objects.get(email=K_ADMIN)
    )
    return [cluster.pk, year.start_year, review.invitations.get(school__urn=151801).pk]


def _cluster_14_action():
    from clusterfund.reports.models import ReviewAction

    action = ReviewAction.objects.filter(review__cluster__slug="cluster-14", done_on=None).first()
    return [*_cluster_14_year(), action.pk]


def _kirklees_question():
    from clusterfund.reports.models import ReviewQuestion

    return ["kirklees", ReviewQuestion.objects.filter(council__slug="kirklees").in_use().first().pk]


ARRANGERS = {K_ADMIN, K_CLUSTER_ADMIN}
RUNNERS = {K_ADMIN, K_CLUSTER_ADMIN, K_CHAIR}
REVIEW_ADMINS = {K_ADMIN, K_CLUSTER_ADMIN}
YEAR_REPORT = {K_ADMIN, K_AUDITOR, K_CLUSTER_ADMIN, K_CHAIR, K_EP}


# url name -> (how to build its arguments, expected status for signed out, expected status by email)
MATRIX = {
    "core:home": (lambda: [], 200, everyone(200)),
    "accounts:sign-in": (lambda: [], 200, everyone(302)),
    "accounts:sign-out": (lambda: [], 302, everyone(200)),
    "accounts:account": (lambda: [], 302, everyone(200)),
    "accounts:api-token-new": (lambda: [], 302, everyone(200)),
    "accounts:api-token-revoke": (lambda: [_api_token_pk(K_ST_THOMAS)], 302, only({K_ST_THOMAS})),
    "public:councils": (lambda: [], 200, everyone(200)),
    "public:council": (lambda: ["kirklees"], 200, everyone(200)),
    "public:cluster": (lambda: ["stoke-on-trent", "central-cluster"], 200, everyone(200)),
    "public:privacy": (lambda: [], 200, everyone(200)),
    "public:accessibility": (lambda: [], 200, everyone(200)),
    "open-data:council": (lambda: ["kirklees"], 200, everyone(200)),
    "open-data:numbers-council": (lambda: ["kirklees"], 200, everyone(200)),
    "open-data:numbers-cluster": (lambda: ["stoke-on-trent", "central-cluster"], 200, everyone(200)),
    # The year in numbers
    "fairness:council": (lambda: ["kirklees"], 302, only({K_ADMIN, K_AUDITOR})),
    "fairness:cluster": (
        lambda: [_cluster_pk("cluster-14")],
        302,
        only({K_ADMIN, K_AUDITOR, K_CLUSTER_ADMIN, K_CHAIR}),
    ),
    "fairness:school": (lambda: [_school_pk(151801)], 302, only({K_ST_THOMAS})),
    "organisations:fairness-settings": (lambda: ["kirklees"], 302, only({K_ADMIN})),
    # The annual review: the cluster's people see it; its admins open, close and key in answers; each school
    # and team member answers its own; the year report goes where the fairness monitor goes, and to the team.
    "review:review": (_cluster_14_year, 302, only(KIRKLEES_CLUSTER_14)),
    "review:open": (_cluster_14_year, 302, everyone(405)),
    "review:close": (_cluster_14_year, 302, everyone(405)),
    "review:answer": (_cluster_14_open_review, 302, only(REVIEW_ADMINS | {K_ST_THOMAS})),
    "review:results": (_cluster_14_year, 302, only(YEAR_REPORT)),
    "review:add_action": (
        _cluster_14_year,
        302,
        only(REVIEW_ADMINS, **dict.fromkeys(KIRKLEES_CLUSTER_14 - REVIEW_ADMINS, 403)),
    ),
    "review:complete_action": (_cluster_14_action, 302, everyone(405)),
    "review:questions": (lambda: ["kirklees"], 302, only({K_ADMIN})),
    "review:add_question": (lambda: ["kirklees"], 302, only({K_ADMIN})),
    "review:change_question": (_kirklees_question, 302, only({K_ADMIN})),
    "review:move_question": (_kirklees_question, 302, everyone(405)),
    "review:retire_question": (_kirklees_question, 302, everyone(405)),
    "review:cluster_report": (_cluster_14_year, 302, only(YEAR_REPORT)),
    "review:cluster_report_pdf": (_cluster_14_year, 302, only(YEAR_REPORT)),
    "review:council_report": (lambda: ["kirklees", _kirklees_year()], 302, only({K_ADMIN, K_AUDITOR})),
    "review:council_report_pdf": (lambda: ["kirklees", _kirklees_year()], 302, only({K_ADMIN, K_AUDITOR})),
    "reports:council-dashboard": (lambda: ["kirklees"], 302, only({K_ADMIN, K_AUDITOR})),
    "reports:cluster-dashboard": (lambda: [_cluster_pk("cluster-14")], 302, only(KIRKLEES_CLUSTER_14)),
    "reports:school-dashboard": (
        lambda: [_school_pk(151801)],
        302,
        only({K_ST_THOMAS, K_ADMIN, K_AUDITOR, K_CLUSTER_ADMIN, K_CHAIR}),
    ),
    "open-data:grants-json": (lambda: ["kirklees", _year_with_awards("kirklees")], 200, everyone(200)),
    "open-data:grants-csv": (
        lambda: ["stoke-on-trent", _year_with_awards("stoke-on-trent")],
        200,
        everyone(200),
    ),
    "organisations:council": (lambda: ["kirklees"], 302, only({K_ADMIN, K_AUDITOR})),
    "organisations:academic-year": (lambda: ["kirklees", 2025], 302, only({K_ADMIN, K_AUDITOR})),
    "organisations:half-term-dates": (
        lambda: ["kirklees", 2025, 3],
        302,
        only({K_ADMIN}, **{K_AUDITOR: 403}),
    ),
    "organisations:import-schools": (lambda: ["kirklees"], 302, only({K_ADMIN}, **{K_AUDITOR: 403})),
    "organisations:import-census": (lambda: ["stoke-on-trent"], 302, only({S_ADMIN}, **{S_AUDITOR: 403})),
    "organisations:cluster": (lambda: [_cluster_pk("cluster-14")], 302, only(KIRKLEES_CLUSTER_14)),
    "organisations:school": (
        lambda: [_school_pk(151801)],
        302,
        only(KIRKLEES_CLUSTER_14 - {K_BIRKBY}),
    ),
    "pupils:list": (lambda: [_school_pk(151801)], 302, only({K_ST_THOMAS, K_ADMIN})),
    "pupils:add": (lambda: [_school_pk(151801)], 302, only({K_ST_THOMAS}, **{K_ADMIN: 403})),
    "pupils:pupil": (lambda: [_pupil_pk("ST-24-017")], 302, only({K_ST_THOMAS, K_ADMIN})),
    "pupils:change": (lambda: [_pupil_pk("ST-24-017")], 302, only({K_ST_THOMAS}, **{K_ADMIN: 403})),
    "pupils:transfer": (lambda: [_pupil_pk("ST-24-017")], 302, only({K_ST_THOMAS}, **{K_ADMIN: 403})),
    # The evidence pack: the pupil's own school and the council's SEND team, nobody else.
    "delivery:evidence_pack": (lambda: [_pupil_pk("ST-24-017")], 302, only({K_ST_THOMAS, K_ADMIN})),
    "delivery:evidence_pack_pdf": (lambda: [_pupil_pk("ST-24-017")], 302, only({K_ST_THOMAS, K_ADMIN})),
    "audit:events": (lambda: [], 302, only({K_ADMIN, K_AUDITOR, S_ADMIN, S_AUDITOR})),
    # Funding requests. A submitted request is seen by its school, its council's SEND team and its cluster's
    # admin, chair and team; only its school changes it. A draft is its school's alone.
    "funding_requests:all": (lambda: [], 302, everyone(200)),
    "funding_requests:school": (
        lambda: [_school_pk(151801)],
        302,
        only({K_ST_THOMAS, K_ADMIN, K_CLUSTER_ADMIN}),
    ),
    "funding_requests:start": (
        lambda: [_school_pk(151801)],
        302,
        only({K_ST_THOMAS, K_ADMIN, K_CLUSTER_ADMIN}),
    ),
    "funding_requests:cluster": (
        lambda: [_cluster_pk("cluster-14")],
        302,
        only({K_ADMIN, K_CLUSTER_ADMIN, K_CHAIR, K_EP}),
    ),
    **{
        f"funding_requests:{name}": (lambda: [_request_pk()], 302, only(SEES_REQUEST))
        for name in ("request", "submitted", "history")
    },
    **{
        f"funding_requests:{name}": (
            lambda: [_request_pk()],
            302,
            only({K_ST_THOMAS}, **SEES_BUT_CANNOT_CHANGE),
        )
        for name in (
            "need",
            "pupils",
            "approach",
            "outcomes",
            "add-outcome",
            "provision",
            "dates",
            "add-line",
            "consent",
            "attachments",
        )
    },
    "funding_requests:change-outcome": (_outcome_args, 302, only({K_ST_THOMAS}, **SEES_BUT_CANNOT_CHANGE)),
    "funding_requests:change-line": (_line_args, 302, only({K_ST_THOMAS}, **SEES_BUT_CANNOT_CHANGE)),
    "funding_requests:benefit": (lambda: [_request_pk("project")], 302, only({K_ST_THOMAS})),
    "funding_requests:check": (lambda: [_request_pk("draft")], 302, only({K_ST_THOMAS})),
    "funding_requests:joint-schools": (
        lambda: [_request_pk("joint")],
        302,
        only({K_ST_THOMAS}, **{K_BIRKBY: 403}),
    ),
    "funding_requests:answer-invitation": (lambda: [_request_pk("joint")], 302, only({K_BIRKBY})),
    "funding_requests:withdraw": (
        lambda: [_request_pk()],
        302,
        only({K_ST_THOMAS, K_ADMIN}, **{K_CLUSTER_ADMIN: 403, K_CHAIR: 403, K_EP: 403}),
    ),
    "funding_requests:download-attachment": (lambda: [_attachment_token()], 302, only(SEES_REQUEST)),
    # Removals are POST only: a GET is refused whoever asks.
    "funding_requests:remove-outcome": (_outcome_args, 302, everyone(405)),
    "funding_requests:remove-line": (_line_args, 302, everyone(405)),
    "funding_requests:withdraw-invitation": (_invitation_args, 302, everyone(405)),
    "funding_requests:remove-attachment": (_request_and_token, 302, everyone(405)),
    # Money. The council's SEND team sets the formula; its auditors read it all. A cluster's members see its
    # balances, and those who work for the cluster its ledger; a school sees its own awards.
    "money:council": (lambda: ["kirklees"], 302, only({K_ADMIN, K_AUDITOR})),
    "money:formula": (lambda: ["kirklees", _kirklees_year()], 302, only({K_ADMIN, K_AUDITOR})),
    "money:change-draft": (
        lambda: ["kirklees", _kirklees_year()],
        302,
        only({K_ADMIN}, **{K_AUDITOR: 403}),
    ),
    "money:commit": (_kirklees_draft, 302, only({K_ADMIN}, **{K_AUDITOR: 403})),
    "money:factors": (lambda: ["kirklees", _kirklees_year()], 302, only({K_ADMIN}, **{K_AUDITOR: 403})),
    "money:transfer": (lambda: ["kirklees", _kirklees_year()], 302, only({K_ADMIN}, **{K_AUDITOR: 403})),
    "money:year-end": (lambda: ["kirklees", _kirklees_year()], 302, only({K_ADMIN}, **{K_AUDITOR: 403})),
    "money:cluster": (lambda: [_cluster_pk("cluster-14")], 302, only(KIRKLEES_CLUSTER_14)),
    "money:school-awards": (lambda: [_school_pk(151801)], 302, only({K_ST_THOMAS, K_ADMIN, K_AUDITOR})),
    "money:award": (_st_thomas_award, 302, only(SEES_REQUEST | {K_AUDITOR})),
    **{
        f"money:{name}": (
            _st_thomas_award,
            302,
            only({K_ADMIN, K_CLUSTER_ADMIN}, **{K_ST_THOMAS: 403, K_AUDITOR: 403, K_CHAIR: 403, K_EP: 403}),
        )
        for name in ("record-payment", "vary", "end")
    },
    # Triage. The cluster's team, admin and chair and the council see the triage; the assigned member and
    # the cluster's admin decide it; only the assigned member scores; the school answers questions.
    "triage:queue": (
        lambda: [_cluster_pk("cluster-14")],
        302,
        only({K_ADMIN, K_CLUSTER_ADMIN, K_CHAIR, K_EP}),
    ),
    "triage:request": (
        lambda: [_request_pk()],
        302,
        only(SEES_REQUEST - {K_ST_THOMAS}, **{K_ST_THOMAS: 403}),
    ),
    "triage:score": (
        lambda: [_in_triage_pk()],
        302,
        only({K_EP}, **{K_ST_THOMAS: 403, K_ADMIN: 403, K_CLUSTER_ADMIN: 403, K_CHAIR: 403}),
    ),
    **{
        f"triage:{name}": (
            lambda: [_in_triage_pk()],
            302,
            only({K_EP, K_CLUSTER_ADMIN}, **{K_ST_THOMAS: 403, K_ADMIN: 403, K_CHAIR: 403}),
        )
        for name in ("questions", "ready", "resolve", "redirect")
    },
    "triage:answer": (
        lambda: [_in_triage_pk(questions=True)],
        302,
        only({K_ST_THOMAS}, **SEES_BUT_CANNOT_CHANGE),
    ),
    "triage:paper": (lambda: [_request_pk()], 302, only(SEES_REQUEST)),
    "triage:reword": (lambda: [_request_pk(), "need"], 302, only({K_ST_THOMAS}, **SEES_BUT_CANNOT_CHANGE)),
    "triage:school-advice": (
        lambda: [_school_pk(151801)],
        302,
        only({K_ST_THOMAS, K_ADMIN, K_CLUSTER_ADMIN, K_EP}),
    ),
    "triage:record-advice": (
        lambda: [_school_pk(151801)],
        302,
        only({K_ADMIN, K_CLUSTER_ADMIN, K_EP}, **{K_ST_THOMAS: 403}),
    ),
    "triage:share": (lambda: [_school_pk(151801)], 302, only({K_ST_THOMAS})),
    "triage:resources": (lambda: [], 302, everyone(200)),
    "triage:ask-for-resource": (
        lambda: [_st_thomas_resource().pk],
        302,
        only({K_BIRKBY, K_CHAIR}, **{K_ST_THOMAS: 403}),
    ),
    "triage:answer-resource": (_resource_request_args, 302, everyone(405)),
    "triage:stop-sharing": (lambda: [_st_thomas_resource().pk], 302, everyone(405)),
    "triage:interests": (lambda: [], 302, everyone(200)),
    "triage:scheme": (lambda: ["kirklees"], 302, only({K_ADMIN, K_AUDITOR})),
    "meetings:rules": (lambda: ["kirklees"], 302, only({K_ADMIN})),
    "triage:retire-criterion": (lambda: ["kirklees", _kirklees_criterion()], 302, everyone(405)),
    "triage:withdraw-interest": (_ep_interest, 302, everyone(405)),
    # Meetings: the cluster's members see them; its admin and the council arrange them.
    "meetings:list": (lambda: [_cluster_pk("cluster-14")], 302, only(KIRKLEES_CLUSTER_14)),
    "meetings:add": (
        lambda: [_cluster_pk("cluster-14")],
        302,
        only(
            {K_ADMIN, K_CLUSTER_ADMIN}, **dict.fromkeys(KIRKLEES_CLUSTER_14 - {K_ADMIN, K_CLUSTER_ADMIN}, 403)
        ),
    ),
    **{
        f"meetings:{name}": (
            _cluster_14_meeting,
            302,
            only(
                {K_ADMIN, K_CLUSTER_ADMIN},
                **dict.fromkeys(KIRKLEES_CLUSTER_14 - {K_ADMIN, K_CLUSTER_ADMIN}, 403),
            ),
        )
        for name in ("change", "cancel", "order_agenda", "attendance", "add_action")
    },
    "meetings:meeting": (_cluster_14_meeting, 302, only(KIRKLEES_CLUSTER_14)),
    # Delivery: the school records that support started and reviews it; its admin may key in a start.
    "delivery:record": (
        lambda: [_request_pk()],
        302,
        only(SEES_REQUEST, **dict.fromkeys(SEES_REQUEST - {K_ST_THOMAS, K_CLUSTER_ADMIN}, 403)),
    ),
    "delivery:review": (_st_thomas_review, 302, only({K_ST_THOMAS}, **SEES_BUT_CANNOT_CHANGE)),
    "delivery:review_date": (
        _st_thomas_review,
        302,
        only(SEES_REQUEST, **dict.fromkeys(SEES_REQUEST - {K_ST_THOMAS, K_CLUSTER_ADMIN}, 403)),
    ),
    "delivery:school_reviews": (lambda: [_school_pk(151801)], 302, only({K_ST_THOMAS, K_ADMIN, K_AUDITOR})),
    "delivery:cluster_reviews": (
        lambda: [_cluster_pk("cluster-14")],
        302,
        only({K_ADMIN, K_AUDITOR, K_CLUSTER_ADMIN, K_CHAIR}),
    ),
    # The demo schemes allow no chair's action, so even the chair finds nothing here.
    "meetings:chairs_action": (lambda: [_cluster_pk("cluster-14"), _request_pk()], 302, everyone(404)),
    **{
        f"meetings:{name}": (_cluster_14_meeting, 302, everyone(405))
        for name in ("build_agenda", "freeze_agenda", "open_vote", "close_vote", "record_decisions")
    },
    "meetings:decide_item": (
        _cluster_14_item,
        302,
        only(RUNNERS, **dict.fromkeys(KIRKLEES_CLUSTER_14 - RUNNERS, 403)),
    ),
    # a ballot opens only while the vote is open; otherwise it goes back to the meeting
    "meetings:ballot": (_st_thomas_ballot, 302, only(ARRANGERS | {K_ST_THOMAS}, 302)),
    "meetings:minutes": (_cluster_14_counted, 302, only(KIRKLEES_CLUSTER_14)),
    "meetings:approve_minutes": (
        _cluster_14_meeting,
        302,
        only({K_ADMIN, K_CHAIR}, **dict.fromkeys(KIRKLEES_CLUSTER_14 - {K_ADMIN, K_CHAIR}, 403)),
    ),
    "meetings:ballot_export": (
        lambda: [*_cluster_14_counted(), 0, "public"],
        302,
        only(KIRKLEES_CLUSTER_14),
    ),
    # The pack: every member of the meeting (before the agenda is frozen, a page that says so).
    "meetings:pack": (_cluster_14_meeting, 302, only(KIRKLEES_CLUSTER_14)),
    "meetings:pack_pdf": (_cluster_14_counted, 302, only(KIRKLEES_CLUSTER_14)),
    # The JSON API takes personal tokens only (its own tests use them): a browser's session gets 401.
    "api-v1:openapi-json": (lambda: [], 200, everyone(200)),
    "api-v1:api-root": (lambda: [], 404, everyone(404)),
    "api-v1:pupils": (lambda: [], 401, everyone(401)),
    "api-v1:pupil-add": (lambda: [], 401, everyone(401)),
    "api-v1:pupil": (lambda: [_pupil_pk("ST-24-017")], 401, everyone(401)),
    "api-v1:pupil-change": (lambda: [_pupil_pk("ST-24-017")], 401, everyone(401)),
    "api-v1:requests": (lambda: [], 401, everyone(401)),
    "api-v1:request-start": (lambda: [], 401, everyone(401)),
    "api-v1:request": (lambda: [_request_pk()], 401, everyone(401)),
    "api-v1:pots": (lambda: [], 401, everyone(401)),
    "api-v1:pot": (lambda: [1], 401, everyone(401)),
    "api-v1:pot-ledger": (lambda: [1], 401, everyone(401)),
    "api-v1:awards": (lambda: [], 401, everyone(401)),
    "api-v1:paper": (lambda: [_request_pk()], 401, everyone(401)),
    "api-v1:award": (lambda: [1], 401, everyone(401)),
    # URLs that only change a request are sent their own method (the fourth entry).
    **{
        f"api-v1:request-{name}": (lambda: [_request_pk()], 401, everyone(401), method)
        for name, method in (
            ("need", "PUT"),
            ("approach", "PUT"),
            ("pupils", "PUT"),
            ("benefit", "PUT"),
            ("dates", "PUT"),
            ("consent", "PUT"),
            ("outcome-add", "POST"),
            ("line-add", "POST"),
            ("school-invite", "POST"),
            ("invitation-answer", "POST"),
            ("submit", "POST"),
            ("withdraw", "POST"),
        )
    },
    "api-v1:request-outcome-change": (_outcome_args, 401, everyone(401), "PUT"),
    "api-v1:request-outcome-remove": (_outcome_args, 401, everyone(401), "DELETE"),
    "api-v1:request-line-change": (_line_args, 401, everyone(401), "PUT"),
    "api-v1:request-line-remove": (_line_args, 401, everyone(401), "DELETE"),
    "api-v1:request-school-uninvite": (_invitation_args, 401, everyone(401), "DELETE"),
}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern.callback


def test_every_url_is_in_the_matrix_and_declares_an_access_rule():
    names = dict(_url_names())
    assert set(names) == set(MATRIX), "add new URLs to the permission matrix"
    for name, callback in names.items():
        assert getattr(callback, "access_rule", None), f"{name} declares no access rule"


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("who", [ANONYMOUS, *EMAILS])
def test_permission_matrix(name, who, client, user_by_email):
    arguments, anonymous_status, by_email, *method = MATRIX[name]
    method = method[0] if method else "GET"
    if who != ANONYMOUS:
        client.force_login(user_by_email(who))
    url = reverse(name, args=arguments())
    response = client.generic(method, url)
    expected = anonymous_status if who == ANONYMOUS else by_email[who]
    assert response.status_code == expected, f"{who} {method} {url}"
    if who == ANONYMOUS and expected == 302 and name not in {"accounts:sign-out"}:
        assert response["Location"].startswith(reverse("accounts:sign-in"))
