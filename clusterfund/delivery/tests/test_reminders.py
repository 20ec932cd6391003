"""Reminders of impact reviews: due and overdue reviews are emailed to their school's staff once a week until
done, one email per school naming only its own requests, by the `send-reminders` command or the background
task, with a query count that does not grow with the reviews."""

import datetime
import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clusterfund.accounts.models import RoleAssignment
from clusterfund.audit.models import AuditEvent
from clusterfund.cli import main as clusterfund_cli
from clusterfund.core.formatting import long_date
from clusterfund.delivery import services
from clusterfund.delivery.models import ImpactReview, NextStep
from clusterfund.delivery.reminders import send_review_reminders
from clusterfund.delivery.tasks import send_review_reminders_task
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import FundingRequest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WEEK = datetime.timedelta(days=7)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """No worker runs in the tests: a task runs as soon as it is enqueued."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def approved(db):
    """The demo's approved and part-approved requests, ready to record as in delivery. Any reviews the demo
    has of its own, and the demo's reminders, are cleared, so that each test counts only the reminders of
    the reviews it makes."""
    ImpactReview.objects.all().delete()
    _since["pk"] = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    requests = list(
        FundingRequest.objects.filter(status__in=[RequestStatus.APPROVED, RequestStatus.PART_APPROVED])
        .select_related("lead_school")
        .order_by("pk")
    )
    assert len({fr.lead_school_id for fr in requests}) >= 3
    return requests


_since = {"pk": 0}


def _reminder_events():
    """The reminders audited since the test began (the demo sends its own when it loads)."""
    return AuditEvent.objects.filter(action="delivery.reminder_sent", pk__gt=_since["pk"])


def _staff(school) -> set[str]:
    return set(
        RoleAssignment.objects.filter(role="school_staff", school=school).values_list(
            "user__email", flat=True
        )
    )


def _deliver(fr) -> list[ImpactReview]:
    """Record that the request's support started today, as its school's staff, and return its reviews."""
    staff = RoleAssignment.objects.filter(role="school_staff", school=fr.lead_school).first().user
    services.record_delivery(
        funding_request=fr,
        started_on=timezone.localdate(),
        provider="school_staff",
        provider_name="",
        acting_user=staff,
    )
    reviews = list(ImpactReview.objects.filter(funding_request=fr).select_related("funding_request"))
    assert reviews, f"{fr.reference} has no reviews due"
    return reviews


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Send the reminders as of a day, running the emails the transaction leaves for after it commits."""

    def run(today: datetime.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return send_review_reminders(today=today)

    return run


def test_a_review_is_reminded_from_a_week_before_it_is_due_then_weekly_until_done(approved, remind):
    fr = approved[0]
    review = _deliver(fr)[0]
    due = review.due_on
    path = reverse("delivery:review", kwargs={"request_pk": fr.pk, "pk": review.pk})
    assert path == f"/requests/{fr.pk}/reviews/{review.pk}"

    assert remind(due - WEEK - DAY) == 0  # not yet due within a week
    assert mail.outbox == []
    review.refresh_from_db()
    assert review.reminded_on is None

    assert remind(due - WEEK) == 1
    (message,) = mail.outbox
    assert set(message.to) == _staff(fr.lead_school)
    assert fr.reference in message.body and long_date(due) in message.body
    assert f"\n  {settings.SITE_URL}{path}" in message.body  # an address the school can follow
    assert "(overdue)" not in message.body and "overdue" not in message.subject
    review.refresh_from_db()
    assert review.reminded_on == due - WEEK

    assert remind(due - DAY) == 0  # reminded less than a week ago
    assert remind(due) == 1  # a week on, on the day it is due: due, not yet overdue
    assert "(overdue)" not in mail.outbox[-1].body
    assert remind(due + DAY) == 0
    assert remind(due + WEEK) == 1
    assert f"{fr.reference}: due {long_date(due)} (overdue)" in mail.outbox[-1].body
    assert "1 overdue" in mail.outbox[-1].subject
    assert len(mail.outbox) == 3

    events = _reminder_events().order_by("pk")
    assert [event.after["reminded_on"] for event in events] == [
        day.isoformat() for day in (due - WEEK, due, due + WEEK)
    ]
    event = events.last()
    assert event.actor is None and event.actor_name == "System"
    assert event.council_id == fr.council_id
    assert event.object_id == str(fr.lead_school_id)
    assert event.after["reviews"] == [
        {"review": review.pk, "request": fr.reference, "due_on": due.isoformat(), "overdue": True}
    ]
    assert event.after["recipients"] == len(_staff(fr.lead_school))


def test_a_done_review_is_never_reminded(approved, remind):
    fr = next(fr for fr in approved if fr.request_type in ("group", "project"))
    review = _deliver(fr)[0]
    services.record_review(
        review=review,
        results={},
        next_step=NextStep.CONTINUE,
        notes="",
        children_supported=6,
        schools_benefited=[],
        acting_user=RoleAssignment.objects.filter(role="school_staff", school=fr.lead_school).first().user,
    )
    for day in (review.due_on - WEEK, review.due_on, review.due_on + 4 * WEEK):
        assert remind(day) == 0
    assert mail.outbox == []
    assert not _reminder_events().exists()


def test_each_school_gets_one_email_with_only_its_own_reviews_and_no_pupil_names(approved, remind):
    reviews = [review for fr in approved for review in _deliver(fr)]
    today = max(review.due_on for review in reviews) + DAY  # every review is overdue
    schools = {fr.lead_school for fr in approved}

    assert remind(today) == len(schools) == len(mail.outbox)
    by_recipients = {frozenset(message.to): message for message in mail.outbox}
    for school in schools:
        message = by_recipients[frozenset(_staff(school))]
        assert school.name in message.subject
        ours = [review for review in reviews if review.funding_request.lead_school_id == school.pk]
        for review in ours:
            path = f"/requests/{review.funding_request_id}/reviews/{review.pk}"
            assert path in message.body and "(overdue)" in message.body
        for other in schools - {school}:
            assert other.name not in message.body
        for fr in approved:
            if fr.lead_school_id != school.pk:
                assert fr.reference not in message.body
        pupils = {
            name for fr in approved for name in fr.pupils.exclude(name="").values_list("name", flat=True)
        }
        assert not any(name in message.body or name in message.subject for name in pupils)
    assert all(review.reminded_on == today for review in ImpactReview.objects.all())


def test_a_school_without_staff_gets_no_email_and_its_reviews_wait(approved, remind):
    fr = approved[0]
    review = _deliver(fr)[0]
    RoleAssignment.objects.filter(role="school_staff", school=fr.lead_school).delete()
    assert remind(review.due_on) == 0
    assert mail.outbox == []
    review.refresh_from_db()
    assert review.reminded_on is None


def test_the_queries_do_not_grow_with_the_reviews(approved, remind):
    """One query more for each email (its audit row), none for each review."""
    first = list({fr.lead_school_id: fr for fr in reversed(approved)}.values())[:2]  # two schools
    few = [review for fr in first for review in _deliver(fr)]
    assert len(few) == 2
    today = max(review.due_on for review in few) + 4 * WEEK
    with CaptureQueriesContext(connection) as queries:
        few_emails = remind(today)
    few_queries = len(queries)

    many = few + [review for fr in approved if fr not in first for review in _deliver(fr)]
    assert len(many) >= 10
    today = max(review.due_on for review in many) + 4 * WEEK  # the first two again, a week on or more
    with CaptureQueriesContext(connection) as queries:
        emails = remind(today)
    assert ImpactReview.objects.filter(reminded_on=today).count() == len(many)
    assert emails > few_emails
    assert len(queries) - emails == few_queries - few_emails <= 6


def test_the_command_sends_and_prints_how_many(approved, django_capture_on_commit_callbacks, capsys):
    review = _deliver(approved[0])[0]
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", f"--date={review.due_on}", stdout=out)
    assert out.getvalue() == "Sent 1 reminder email.\n"
    assert len(mail.outbox) == 1

    # the `clusterfund` command runs it under the name the README uses
    clusterfund_cli(["clusterfund", "send-reminders", "--date", review.due_on.isoformat()])
    assert capsys.readouterr().out == "Sent 0 reminder emails.\n"

    with pytest.raises(CommandError, match="not a date"):
        call_command("send_reminders", "--date=12/03/2027")


def test_enqueue_runs_the_task_on_the_immediate_backend(approved, django_capture_on_commit_callbacks):
    fr = approved[0]
    review = _deliver(fr)[0]
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--enqueue", f"--date={review.due_on}", stdout=out)
    assert out.getvalue().startswith("Enqueued the reminders task ")
    assert out.getvalue().endswith(" (successful).\n")
    assert [set(message.to) for message in mail.outbox] == [_staff(fr.lead_school)]
    review.refresh_from_db()
    assert review.reminded_on == review.due_on

    with django_capture_on_commit_callbacks(execute=True):
        result = send_review_reminders_task.enqueue(today=(review.due_on + WEEK).isoformat())
    assert result.return_value == 1


def test_enqueue_fails_the_command_when_the_task_fails_at_once(approved, monkeypatch):
    """cron hears of a failure: the command exits with an error, not a cheerful line."""

    def broken(**kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr("clusterfund.delivery.tasks.send_review_reminders", broken)
    with pytest.raises(CommandError, match="mail server down"):
        call_command("send_reminders", "--enqueue", stdout=io.StringIO())


def test_the_database_backend_queues_the_task_for_the_worker(
    approved, settings, django_capture_on_commit_callbacks
):
    from django_tasks import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    review = _deliver(approved[0])[0]
    out = io.StringIO()
    call_command("send_reminders", "--enqueue", f"--date={review.due_on}", stdout=out)
    task_id = out.getvalue().split()[4]
    assert out.getvalue().endswith(" (ready).\n")
    row = DBTaskResult.objects.get(id=task_id)
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "clusterfund.delivery.tasks.send_review_reminders_task"
    assert row.args_kwargs == {"args": [], "kwargs": {"today": review.due_on.isoformat()}}
    assert mail.outbox == []  # nothing is sent until a worker runs it

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test",
        excluded_queue_names=[],
    )
    with django_capture_on_commit_callbacks(execute=True):
        worker.run_task(row)
    result = send_review_reminders_task.get_result(task_id)
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 1
    assert len(mail.outbox) == 1
