"""The service navigation a signed-in person sees, from the roles they hold."""

from dataclasses import dataclass

from django.urls import reverse

from clusterfund.accounts.permissions import scope_of


@dataclass(frozen=True)
class NavigationItem:
    href: str
    text: str


def navigation_items(request) -> list[NavigationItem]:
    scope = scope_of(request.user)
    items = [NavigationItem(reverse("core:home"), "Home")]
    if scope.staff_of or scope.cluster_roles_in or scope.council_admin_of:
        items.append(NavigationItem(reverse("funding_requests:all"), "Requests"))
    if scope.overseen_councils:
        items.append(NavigationItem(reverse("audit:events"), "Audit log"))
    items.append(NavigationItem(reverse("accounts:account"), "Your account"))
    return items
