"""Every view declares who may reach it; the middleware refuses to serve one that does not.

Object-level decisions are the permission predicates in each app's `permissions.py`; this module only
says whether a page is public or needs a signed-in user, and records which rule guards it so that the
permission matrix test can find a view that forgot.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

PUBLIC = "public"
API_TOKEN = "api token"


def public(view: Callable) -> Callable:
    """Anyone may see this page, signed in or not. It must never show personal data."""
    view.access_rule = PUBLIC
    return view


def signed_in(rule: str) -> Callable[[Callable], Callable]:
    """The page needs a signed-in user; `rule` names the predicate the view applies to its objects."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        wrapper.access_rule = rule
        return wrapper

    return decorate


def api_token(view: Callable) -> Callable:
    """A JSON API view: it answers only a request that carries a working personal API token, and checks
    the token itself (see `core.api`). A browser's session is not accepted, so CSRF does not arise."""
    view.access_rule = API_TOKEN
    return view


def allow_or_404(allowed: bool) -> None:
    """Hide what the user may not see: another school's or cluster's object is simply not found."""
    if not allowed:
        raise Http404


def allow_or_403(allowed: bool) -> None:
    """Refuse an action on an object the user may see but not change."""
    if not allowed:
        raise PermissionDenied


class AccessRuleMiddleware:
    """Refuse to serve a view that declares no access rule, so a forgotten check cannot ship."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            # Pages for signed-in people may carry pupils' data: never keep them in a shared browser's cache.
            response["Cache-Control"] = "no-store"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "access_rule", None):
            name = getattr(view_func, "__qualname__", repr(view_func))
            raise ImproperlyConfigured(f"View {name} declares no access rule (use core.access).")
        return None
