"""Reads about people and their roles."""

from clusterfund.accounts.models import RoleAssignment


def roles_of(user) -> list[RoleAssignment]:
    """The person's role assignments with their council, cluster or school, in one query."""
    return list(RoleAssignment.objects.for_user(user).order_by("council__name", "role"))
