"""People who sign in, and the roles they hold over a council, a cluster or a school."""

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
