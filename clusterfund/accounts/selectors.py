"""Reads about people, their roles and their API tokens."""

from django.db.models import QuerySet

from clusterfund.accounts.models import API_TOKEN_PREFIX, ApiToken, RoleAssignment, hash_api_token

# A real secret is the prefix and 43 characters; anything much longer is not worth hashing.
_LONGEST_SECRET = 100


def roles_of(user) -> list[RoleAssignment]:
    """The person's role assignments with their council, cluster or school, in one query."""
    return list(RoleAssignment.objects.for_user(user).order_by("council__name", "role"))


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The person's own API tokens, revoked ones included, newest first. Nobody sees another's tokens."""
    return ApiToken.objects.of_user(user).order_by("-created_at", "-id")


def active_api_token_for(secret: str) -> ApiToken | None:
    """The working token whose secret this is, with its person; None for a revoked token, a person whose
    account is switched off, or anything that is not a token."""
    if not secret.startswith(API_TOKEN_PREFIX) or len(secret) > _LONGEST_SECRET:
        return None
    return ApiToken.objects.active().select_related("user").filter(token_hash=hash_api_token(secret)).first()
