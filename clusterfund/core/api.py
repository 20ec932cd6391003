"""What every app's JSON API router shares: token sign-in, the caller, errors as JSON, and pages of results.

The API (ADR 9) is the pages' twin: an app's `api.py` is a django-ninja `Router` whose operations fetch
through the app's selectors, ask its permission predicates and change state through its services, exactly
as its `views.py` does. To add an app's endpoints:

1. Write `clusterfund/<app>/api.py` with `router = Router(tags=["…"])`, its request and response schemas in
   `clusterfund/<app>/schemas.py` (explicit fields only, never more than the pages show).
2. In each operation, `user = caller(request)` is the token's person; pass it as `acting_user`.
3. Fetch objects with `get_object_or_404(<selector scoped to user>, pk=…)` and `allow_or_404(…)`: another
   school's object is a 404 JSON answer. A visible object the person may not change is `allow_or_403(…)`.
4. Turn the service's domain error into a 400 with `raise bad_request(error) from error`, which gives
   `{"detail": …, "errors": {field: message}}`.
5. Add the router in `clusterfund/api.py` and its URL names to the permission matrix (401 for everyone
   without a token) and to the app's API tests.

Every operation needs a token: the API refuses to start if one does not (see `ClusterfundAPI.urls`).
"""

import math
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from clusterfund.accounts.selectors import active_api_token_for
from clusterfund.accounts.services import note_api_token_used
from clusterfund.core.access import api_token, public

PAGE_SIZE = 50
# ninja's own URLs: the schema and its docs page (public: no data) and the root it reverses for paths.
_NINJA_PUBLIC_URL_NAMES = {"openapi-json", "openapi-view", "api-root"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cf_…` with a working personal API token. The request then acts as the
    token's person, with exactly their roles; a browser's session cookie counts for nothing here."""

    def authenticate(self, request: HttpRequest, token: str):
        found = active_api_token_for(token.strip())
        if found is None:
            return None
        note_api_token_used(token=found)
        # Inside the API the person is the token's, never whoever the session cookie belongs to.
        request.user = found.user
        return found.user


def caller(request: HttpRequest):
    """The person whose token signed the request: the `acting_user` of every service the API calls."""
    return request.auth


class ErrorOut(Schema):
    detail: str


class BadRequestOut(Schema):
    detail: str
    errors: dict[str, str]


class InvalidOut(Schema):
    detail: list[dict] = Field(description="pydantic's errors: where (`loc`), what (`msg`) and `type`")


class ApiError(HttpError):
    """A request the domain's rules refuse: 400, with what is wrong with each field."""

    def __init__(self, detail: str, errors: dict[str, str] | None = None, status_code: int = 400):
        super().__init__(status_code, detail)
        self.errors = errors or {}


def bad_request(error: Exception, *, errors: dict[str, str] | None = None) -> ApiError:
    """A 400 from a service's domain error. Its fields come from `errors`, else the error's own `errors`
    dict (like `RequestInvalid`), else its `field` (like `PupilError`)."""
    detail = str(error)
    if errors is None:
        errors = getattr(error, "errors", None)
    if not isinstance(errors, dict):
        field = getattr(error, "field", None)
        errors = {field: detail} if field else {}
    return ApiError(detail, {str(field): str(message) for field, message in errors.items()})


# What an operation that reads one object, or changes one, may answer besides success. For the schema.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
CHANGE_ERRORS = {400: BadRequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut}


@dataclass(frozen=True)
class Page:
    """One page of a list: `items` are the rows on it, `count` all the rows, `pages` how many pages."""

    items: list
    count: int
    page: int
    pages: int


def page_of(rows: QuerySet, *, page: int, page_size: int = PAGE_SIZE) -> Page:
    """The `page`th page (from 1) of an ordered queryset, in two queries. Past the end, it is empty."""
    count = rows.count()
    start = (page - 1) * page_size
    items = list(rows[start : start + page_size]) if start < count else []
    return Page(items=items, count=count, page=page, pages=max(1, math.ceil(count / page_size)))


class ClusterfundAPI(NinjaAPI):
    """django-ninja's API, with our errors as JSON, no caching, and every URL declaring its access rule."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_exception_handler(ApiError, self._bad_request)
        self.add_exception_handler(AuthenticationError, self._unauthorised)
        self.add_exception_handler(PermissionDenied, self._forbidden)

    def _bad_request(self, request: HttpRequest, error: ApiError) -> HttpResponse:
        return self.create_response(
            request, {"detail": error.message, "errors": error.errors}, status=error.status_code
        )

    def _unauthorised(self, request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = self.create_response(
            request,
            {"detail": "Send a working personal API token: Authorization: Bearer <token>"},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="clusterfund"'
        return response

    def _forbidden(self, request: HttpRequest, error: PermissionDenied) -> HttpResponse:
        return self.create_response(request, {"detail": "You may not do this"}, status=403)

    def create_response(self, request, data, *, status=None, temporal_response=None) -> HttpResponse:
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        # Answers may carry pupils' data: never kept in a cache.
        response["Cache-Control"] = "no-store"
        return response

    def get_openapi_operation_id(self, operation) -> str:
        # Short ids for generated clients: the operation's function name, unique across the API.
        return operation.view_func.__name__

    @property
    def urls(self):
        """The API's URLs, each marked with its access rule for `core.access.AccessRuleMiddleware`. The
        schema is public; everything else needs a token, and an operation that does not is refused."""
        schema = self.get_openapi_schema(path_prefix="/")
        seen = set()
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                if not operation.get("security"):
                    raise ImproperlyConfigured(f"API operation {method.upper()} {path} needs no token")
                if operation["operationId"] in seen:
                    raise ImproperlyConfigured(f"Two API operations are named {operation['operationId']}")
                seen.add(operation["operationId"])
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if pattern.name in _NINJA_PUBLIC_URL_NAMES:
                public(pattern.callback)
            else:
                api_token(pattern.callback)
        return patterns, app_name, namespace
