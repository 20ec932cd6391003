"""Reads of the audit log, scoped to the councils the person oversees."""

import datetime

from django.db.models import QuerySet

from clusterfund.accounts.permissions import scope_of
from clusterfund.audit.models import AuditEvent


def audit_events_visible_to(
    user,
    *,
    council_slug: str = "",
    action: str = "",
    actor: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events of the councils the person oversees, newest first, filtered as asked."""
    events = AuditEvent.objects.for_councils(scope_of(user).overseen_councils).select_related("council")
    if council_slug:
        events = events.filter(council__slug=council_slug)
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_name__icontains=actor)
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return events.order_by("-occurred_at", "-id")
