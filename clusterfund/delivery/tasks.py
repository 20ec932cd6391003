"""Background tasks of delivery, run by a worker (`manage.py db_worker`, ADR 15)."""

import datetime

from django_tasks import task

from clusterfund.delivery.reminders import send_review_reminders


@task()
def send_review_reminders_task(today: str | None = None) -> int:
    """Email each school the impact reviews due within a week or overdue (see `send_review_reminders`).
    `today` is an ISO date ("2027-03-12"), as task arguments must be JSON; by default, the day it runs.
    Returns how many emails were sent."""
    return send_review_reminders(today=datetime.date.fromisoformat(today) if today else None)
