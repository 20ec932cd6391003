"""What a signed-in person's roles reach: the one place every other permission module builds on.

A person may hold several roles (a head who is also a chair). `scope_of` reads them once per request
and answers the questions the apps' predicates and selectors ask.
"""

from dataclasses import dataclass, field

from clusterfund.accounts.models import RoleAssignment
from clusterfund.accounts.roles import Role

_CACHE_ATTRIBUTE = "_clusterfund_scope"


@dataclass(frozen=True)
class Scope:
    """The councils, clusters and schools a person's roles cover, by role."""

    roles: frozenset[str] = field(default_factory=frozenset)
    council_admin_of: frozenset[int] = field(default_factory=frozenset)
    auditor_of: frozenset[int] = field(default_factory=frozenset)
    cluster_admin_of: frozenset[int] = field(default_factory=frozenset)
    chair_of: frozenset[int] = field(default_factory=frozenset)
    team_member_of: frozenset[int] = field(default_factory=frozenset)
    staff_of: frozenset[int] = field(default_factory=frozenset)
    councils: frozenset[int] = field(default_factory=frozenset)

    @property
    def overseen_councils(self) -> frozenset[int]:
        """Councils whose every cluster and school the person may read (council admins, auditors)."""
        return self.council_admin_of | self.auditor_of

    @property
    def cluster_roles_in(self) -> frozenset[int]:
        """Clusters the person works in as admin, chair or Team Around the Cluster member."""
        return self.cluster_admin_of | self.chair_of | self.team_member_of


ANONYMOUS = Scope()


def scope_of(user) -> Scope:
    """The person's scope, read from their role assignments once and kept for the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    sets: dict[str, set[int]] = {
        "council_admin_of": set(),
        "auditor_of": set(),
        "cluster_admin_of": set(),
        "chair_of": set(),
        "team_member_of": set(),
        "staff_of": set(),
        "councils": set(),
    }
    roles = set()
    by_role = {
        Role.COUNCIL_ADMIN: ("council_admin_of", "council_id"),
        Role.AUDITOR: ("auditor_of", "council_id"),
        Role.CLUSTER_ADMIN: ("cluster_admin_of", "cluster_id"),
        Role.CHAIR: ("chair_of", "cluster_id"),
        Role.TEAM_AROUND_THE_CLUSTER: ("team_member_of", "cluster_id"),
        Role.SCHOOL_STAFF: ("staff_of", "school_id"),
    }
    for role, council_id, cluster_id, school_id in RoleAssignment.objects.filter(user=user).values_list(
        "role", "council_id", "cluster_id", "school_id"
    ):
        roles.add(role)
        target, key = by_role[Role(role)]
        sets[target].add({"council_id": council_id, "cluster_id": cluster_id, "school_id": school_id}[key])
        sets["councils"].add(council_id)
    scope = Scope(roles=frozenset(roles), **{name: frozenset(ids) for name, ids in sets.items()})
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope, after the person's roles change."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def has_role(user, role: Role) -> bool:
    return role.value in scope_of(user).roles


def can_revoke_api_token(user, token) -> bool:
    """A person revokes their own API tokens; nobody else's."""
    return user.is_authenticated and token.user_id == user.pk
