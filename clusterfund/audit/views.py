from django.core.paginator import Paginator
from django.shortcuts import render

from clusterfund.audit import permissions, selectors
from clusterfund.audit.forms import AuditFilterForm
from clusterfund.core.access import allow_or_404, signed_in
from clusterfund.organisations.selectors import councils_visible_to

PAGE_SIZE = 50


@signed_in("can_view_audit_log")
def events(request):
    allow_or_404(permissions.can_view_audit_log(request.user))
    form = AuditFilterForm(request.GET or None, councils=councils_visible_to(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = selectors.audit_events_visible_to(
        request.user,
        council_slug=filters.get("council", ""),
        action=filters.get("action", ""),
        actor=filters.get("actor", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/events.html",
        {"page_title": "Audit log", "form": form, "page": page, "query": query.urlencode()},
    )
