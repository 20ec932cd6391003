"""Creating people and giving them roles. Each change is audited."""

from django.db import transaction

from clusterfund.accounts.models import RoleAssignment, User
from clusterfund.accounts.permissions import forget_scope
from clusterfund.accounts.roles import CLUSTER_ROLES, COUNCIL_ROLES, Role
from clusterfund.audit.services import record_event


class RoleError(Exception):
    """A role that does not fit its scope, with a message the person can read."""


@transaction.atomic
def create_person(
    *, email: str, full_name: str, password: str | None, acting_user, council=None, job_title: str = ""
) -> User:
    """Add a person who can sign in. Without a password they must reset it before signing in."""
    user = User.objects.create_user(email=email, password=password, full_name=full_name, job_title=job_title)
    record_event(
        acting_user=acting_user,
        action="person.created",
        obj=user,
        council=council,
        after={"email": user.email, "full_name": full_name},
    )
    return user


@transaction.atomic
def grant_role(*, user: User, role: Role, council, acting_user, cluster=None, school=None) -> RoleAssignment:
    """Give a person a role over a council, a cluster or a school of that council."""
    role = Role(role)
    if role in COUNCIL_ROLES and (cluster or school):
        article = "An" if role.label[0].lower() in "aeiou" else "A"
        raise RoleError(f"{article} {role.label.lower()} works across the whole council.")
    if role in CLUSTER_ROLES and (cluster is None or school is not None):
        raise RoleError(f"A {role.label} role needs a cluster.")
    if role == Role.SCHOOL_STAFF and (school is None or cluster is not None):
        raise RoleError("A SENCO or head role needs a school.")
    for owner in (cluster, school):
        if owner is not None and owner.council_id != council.pk:
            raise RoleError(f"{owner} is not in {council}.")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, council=council, cluster=cluster, school=school
    )
    if created:
        record_event(
            acting_user=acting_user,
            action="role.granted",
            obj=assignment,
            council=council,
            after={"person": user.email, "role": role.value, "scope": assignment.scope_name},
        )
    forget_scope(user)
    return assignment
