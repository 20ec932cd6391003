"""Creating people, giving them roles, and their personal API tokens. Each change is audited."""

import datetime
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clusterfund.accounts.models import (
    API_TOKEN_PREFIX,
    API_TOKEN_SHOWN_CHARACTERS,
    ApiToken,
    RoleAssignment,
    User,
    hash_api_token,
)
from clusterfund.accounts.permissions import forget_scope
from clusterfund.accounts.roles import CLUSTER_ROLES, COUNCIL_ROLES, Role
from clusterfund.audit.services import record_event

API_TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)


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


class ApiTokenError(Exception):
    """A token the rules refuse; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _record_token_event(*, action: str, token: ApiToken, acting_user, after: dict) -> None:
    # A token reaches whatever its person's roles reach, so each of their councils' logs shows it.
    councils = {role.council_id: role.council for role in RoleAssignment.objects.for_user(token.user)}
    for council in sorted(councils.values(), key=lambda council: council.pk) or [None]:
        record_event(acting_user=acting_user, action=action, obj=token, council=council, after=after)


@transaction.atomic
def create_api_token(*, user: User, name: str, acting_user) -> tuple[ApiToken, str]:
    """Make a personal API token for the person and return it with its secret. Only a hash of the secret
    is kept, so this is the one time anyone sees it; the audit log holds neither."""
    name = " ".join(name.split())
    if not name:
        raise ApiTokenError("Enter a name for the token", "name")
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ApiTokenError("The name must be 100 characters or fewer", "name")
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:API_TOKEN_SHOWN_CHARACTERS],
        token_hash=hash_api_token(secret),
    )
    _record_token_event(
        action="api_token.created",
        token=token,
        acting_user=acting_user,
        after={"person": user.email, "name": name, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, acting_user) -> ApiToken:
    """Stop a token working, at once and for good. Programs that use it get 401 from then on."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.is_revoked:
        raise ApiTokenError("This token has already been revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    _record_token_event(
        action="api_token.revoked",
        token=token,
        acting_user=acting_user,
        after={"person": token.user.email, "name": token.name, "prefix": token.prefix},
    )
    return token


def note_api_token_used(*, token: ApiToken, now: datetime.datetime | None = None) -> None:
    """Keep the token's 'last used' time to the minute. This is bookkeeping, not a change anyone makes, so
    it is not audited, and it writes at most once a minute however often the token is used."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_USE_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - API_TOKEN_USE_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
