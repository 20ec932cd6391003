"""Requests built through the services, as a SENCO would write them."""

import datetime

from clusterfund.funding_requests import services
from clusterfund.funding_requests.models import RequestType
from clusterfund.pupils.models import Pupil
from clusterfund.pupils.needs import AreaOfNeed


def complete_individual_request(school, senco, *, pupil_reference="ST-24-017", units="20", cost_pence=2550):
    """A draft individual request with every part filled in, ready to submit."""
    draft = services.start_request(
        school=school,
        request_type=RequestType.INDIVIDUAL,
        title="Speech and language sessions",
        acting_user=senco,
    )
    return _write_every_part(
        draft,
        senco,
        pupils=[Pupil.objects.get(reference=pupil_reference)],
        units=units,
        cost_pence=cost_pence,
    )


def complete_joint_group_request(school, senco, *, joining, joining_senco, pupil_reference="BJ-0419"):
    """A draft group request with every part filled in, that `joining` has confirmed with one of its own
    pupils and their parents' or carers' agreement: ready to submit."""
    draft = services.start_request(
        school=school, request_type=RequestType.GROUP, title="Transition group", acting_user=senco
    )
    invitation = services.invite_school(funding_request=draft, school=joining, acting_user=senco)
    services.answer_invitation(
        joint_school=invitation,
        confirm=True,
        part="Our Year 6 pupil joins the group",
        pupils=[Pupil.objects.get(reference=pupil_reference)],
        consent_date=datetime.date.today() - datetime.timedelta(days=5),
        consent_method="email",
        acting_user=joining_senco,
    )
    return _write_every_part(draft, senco, pupils=[Pupil.objects.get(reference="ST-24-017")])


def _write_every_part(draft, senco, *, pupils, units="20", cost_pence=2550):
    year = draft.academic_year
    services.change_about_the_need(
        funding_request=draft,
        title=draft.title,
        need="Struggles to put ideas into words in class and is becoming withdrawn.",
        primary_area=AreaOfNeed.COMMUNICATION_AND_INTERACTION,
        other_areas=[AreaOfNeed.SOCIAL_EMOTIONAL_MENTAL_HEALTH],
        acting_user=senco,
    )
    services.choose_pupils(funding_request=draft, pupils=pupils, acting_user=senco)
    services.change_graduated_approach(
        funding_request=draft,
        assessed="Speech link screening in September.",
        planned="Small-group language sessions three times a week.",
        done="Sessions ran for 10 weeks with a teaching assistant.",
        reviewed="Vocabulary improved; sentence building did not.",
        advice_received="Speech and language therapist visited in October.",
        acting_user=senco,
    )
    services.change_dates(
        funding_request=draft,
        start_date=year.starts_on + datetime.timedelta(days=60),
        end_date=year.ends_on - datetime.timedelta(days=30),
        acting_user=senco,
    )
    services.add_outcome(
        funding_request=draft,
        what="Uses sentences of five words or more in class discussion",
        by_when=year.ends_on - datetime.timedelta(days=30),
        how_measured="Speech link re-screen and teacher observation",
        acting_user=senco,
    )
    services.add_provision_line(
        funding_request=draft,
        what="Teaching assistant, 1:1 language sessions",
        provider="St Thomas staff",
        units=units,
        unit_cost_pence=cost_pence,
        term=year.terms.get(number=2),
        acting_user=senco,
    )
    services.record_consent(
        funding_request=draft,
        consent_date=datetime.date.today() - datetime.timedelta(days=3),
        consent_method="signed_form",
        acting_user=senco,
    )
    draft.refresh_from_db()
    return draft
