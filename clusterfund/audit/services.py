"""Writing audit events. Every service that changes state calls `record_event` in its transaction."""

from django.db import transaction
from django.db.models import Model

from clusterfund.audit.models import AuditEvent

SYSTEM_ACTOR_NAME = "System"


def record_event(
    *,
    acting_user,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    council=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Write one audit event. Must be called inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    return AuditEvent.objects.create(
        actor=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        actor_name=str(acting_user) if acting_user is not None else SYSTEM_ACTOR_NAME,
        action=action,
        council=council,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=before,
        after=after,
    )


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}
