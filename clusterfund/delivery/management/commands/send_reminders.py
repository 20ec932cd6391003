"""`clusterfund send-reminders [--date YYYY-MM-DD] [--enqueue]`: remind schools of their impact reviews.

Run it once a day from cron. It emails each school's staff the reviews due within a week or overdue, at
most once a week for each review, and prints how many emails it sent. With `--enqueue` it leaves the work
to the background worker (`manage.py db_worker`) and prints the task's id instead.
"""

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from clusterfund.delivery.reminders import send_review_reminders
from clusterfund.delivery.tasks import send_review_reminders_task
from clusterfund.reports.survey import send_annual_review_reminders, send_annual_review_reminders_task


def iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from error


class Command(BaseCommand):
    help = "Email schools the impact reviews due within a week or overdue, and print how many emails went."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=iso_date, help="the day to remind as of (YYYY-MM-DD); today if not"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="enqueue the background task instead, and print its id"
        )

    def handle(self, *args, date: datetime.date | None, enqueue: bool, **options):
        if enqueue:
            result = send_review_reminders_task.enqueue(today=date.isoformat() if date else None)
            if result.status == TaskResultStatus.FAILED:  # the immediate backend ran it, and it failed
                raise CommandError(f"The reminders task {result.id} failed: {result.errors[-1].traceback}")
            self.stdout.write(f"Enqueued the reminders task {result.id} ({result.status.label.lower()}).")
            annual = send_annual_review_reminders_task.enqueue(today=date.isoformat() if date else None)
            if annual.status == TaskResultStatus.FAILED:
                raise CommandError(
                    f"The annual review reminders task {annual.id} failed: {annual.errors[-1].traceback}"
                )
            self.stdout.write(
                f"Enqueued the annual review reminders task {annual.id} ({annual.status.label.lower()})."
            )
            return
        sent = send_review_reminders(today=date)
        self.stdout.write(f"Sent {sent} reminder email{'' if sent == 1 else 's'}.")
        annual = send_annual_review_reminders(today=date)
        if annual:  # said only when an open annual review had someone to remind
            self.stdout.write(f"Sent {annual} annual review reminder email{'' if annual == 1 else 's'}.")
