"""Who may read the audit log."""

from clusterfund.accounts.permissions import scope_of


def can_view_audit_log(user) -> bool:
    """Council admins and auditors read their councils' audit logs. Nobody can change them."""
    return bool(scope_of(user).overseen_councils)
