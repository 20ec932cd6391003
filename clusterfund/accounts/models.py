"""People who sign in, the roles they hold over a council, a cluster or a school, and their API tokens."""

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q

from clusterfund.accounts.roles import CLUSTER_ROLES, COUNCIL_ROLES, SCHOOL_ROLES, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person who signs in with their email address. What they may do comes from their roles."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email


def _values(roles) -> list[str]:
    # Sorted, so that the constraint (and its migration) is the same on every run.
    return sorted(role.value for role in roles)


class RoleAssignmentQuerySet(models.QuerySet):
    def for_user(self, user) -> "RoleAssignmentQuerySet":
        return self.filter(user=user).select_related("council", "cluster", "school")


class RoleAssignment(models.Model):
    """A role held over one scope: a council (admins, auditors), a cluster, or a school (staff)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    council = models.ForeignKey("organisations.Council", on_delete=models.CASCADE, related_name="+")
    cluster = models.ForeignKey(
        "organisations.Cluster", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school = models.ForeignKey(
        "organisations.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(role__in=_values(COUNCIL_ROLES), cluster__isnull=True, school__isnull=True)
                    | Q(role__in=_values(CLUSTER_ROLES), cluster__isnull=False, school__isnull=True)
                    | Q(role__in=_values(SCHOOL_ROLES), cluster__isnull=True, school__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "council", "cluster", "school"], name="unique_role_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} – {self.scope_name}"

    @property
    def scope_name(self) -> str:
        if self.school_id:
            return self.school.name
        if self.cluster_id:
            return self.cluster.name
        return self.council.name


API_TOKEN_PREFIX = "cf_"
API_TOKEN_SHOWN_CHARACTERS = 8


def hash_api_token(secret: str) -> str:
    """The SHA-256 of a token's secret, in hex: all that is stored of it. The secret is long and random,
    so a fast hash is enough; a slow password hash would only slow down every API call."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def of_user(self, user) -> "ApiTokenQuerySet":
        return self.filter(user=user)

    def active(self) -> "ApiTokenQuerySet":
        """Tokens that still work: not revoked, and their person's account not switched off."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal token that lets a program use the JSON API as its person, with exactly their roles.

    Only a hash of the secret is kept: the secret is shown once, when the token is made. The first
    characters (`prefix`) are kept to tell tokens apart on the account page."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=API_TOKEN_SHOWN_CHARACTERS)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
