"""The money pages: the council's clusters side by side, the formula with its what-if, a cluster's pots and
ledger, awards with their payments, and the year end. Every write goes through the services; every table
downloads as CSV and Excel."""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.core.errors import apply_errors
from clusterfund.core.exports import FORMATS, pounds_value, table_download
from clusterfund.core.params import start_year
from clusterfund.money import imports, permissions, selectors, services
from clusterfund.money.forms import (
    CommitFormulaForm,
    EndAwardForm,
    FactorUploadForm,
    FormulaForm,
    LedgerFilterForm,
    PaymentForm,
    TransferForm,
    VaryAwardForm,
)
from clusterfund.organisations import services as organisations
from clusterfund.organisations.selectors import clusters_visible_to, councils_visible_to, schools_visible_to
from clusterfund.triage import permissions as triage_permissions

PAGE_SIZE = 50
BALANCES = ("allocated", "committed", "paid", "available")


def _council_for(request, slug):
    council = get_object_or_404(councils_visible_to(request.user), slug=slug)
    allow_or_404(permissions.can_view_council_money(request.user, council))
    return council


def _year_for(council, start_year):
    year = selectors.year_of(council, start_year)
    allow_or_404(year is not None)
    return year


def _managed_year(request, council_slug, start_year):
    """The council and year whose money the person manages: another council is not found, and its
    auditors may look but not change."""
    council = _council_for(request, council_slug)
    allow_or_403(permissions.can_manage_money(request.user, council))
    return council, _year_for(council, start_year)


def _download(request, *, filename, head, rows):
    file_format = request.GET.get("format", "")
    if file_format in FORMATS:
        return table_download(filename=filename, head=head, rows=rows, file_format=file_format)
    return None


# The council


@signed_in("money.can_view_council_money")
def council_money(request, council_slug):
    council = _council_for(request, council_slug)
    year = _year_for(council, start_year(request))
    money = selectors.council_money(council, year)
    formula = selectors.committed_formula(council, year)
    shares = selectors.shares_of(formula)
    download = _download(
        request,
        filename=f"{council.slug}-money-{year.start_year}",
        head=[
            "Cluster",
            "Share from the formula",
            *(f"Pot {b}" for b in BALANCES),
            *(f"Contingency {b}" for b in BALANCES),
        ],
        rows=[
            [
                row["cluster"].name,
                pounds_value(shares[row["cluster"].pk].amount_pence) if row["cluster"].pk in shares else "",
                *(pounds_value(row["main"].balances[b]) if row["main"] else "" for b in BALANCES),
                *(
                    pounds_value(row["contingency"].balances[b]) if row["contingency"] else ""
                    for b in BALANCES
                ),
            ]
            for row in money["rows"]
        ],
    )
    if download:
        return download
    return render(
        request,
        "money/council.html",
        {
            "page_title": f"Money for {year.name}",
            "council": council,
            "year": year,
            "years": selectors.years_of(council),
            "money": money,
            "formula": formula,
            "shares": shares,
            "draft": selectors.draft_formula(council, year),
            "can_manage": permissions.can_manage_money(request.user, council),
        },
    )


def _formula_form(council, draft, data=None):
    factors = services.known_factors(council)
    initial = None
    if draft is not None:
        weights = {weight.factor: weight.weight for weight in draft.weights.all()}
        initial = {
            "high_needs": draft.high_needs_pence or None,
            "top_slice_percent": draft.top_slice_percent,
            "top_slice": draft.top_slice_pence,
            "census_month": draft.census_month.isoformat(),
            "floor": draft.floor_pence,
            "cap": draft.cap_pence,
            **{f"weight_{code}": weights.get(code, 0) for code in factors},
        }
    return FormulaForm(data, initial=initial, factors=factors, census_months=selectors.census_months(council))


@signed_in("money.can_view_council_money")
def formula(request, council_slug, start_year):
    """The committed formula beside the draft, with every cluster's amount under each and the difference."""
    council = _council_for(request, council_slug)
    year = _year_for(council, start_year)
    committed = selectors.committed_formula(council, year)
    draft = selectors.draft_formula(council, year)
    preview, problem = [], ""
    if draft is not None:
        try:
            preview = services.work_out_shares(draft)
        except services.MoneyError as error:
            problem = str(error)
    comparison = selectors.what_if(council, selectors.shares_of(committed), preview)
    download = _download(
        request,
        filename=f"{council.slug}-formula-{year.start_year}",
        head=["Cluster", "Schools", "Weighted score", "Committed", "Draft", "Difference"],
        rows=[
            [
                row["cluster"].name,
                row["share"].schools,
                Decimal(row["share"].score),
                pounds_value(row["committed"]),
                "" if row["draft"] is None else pounds_value(row["draft"]),
                "" if row["difference"] is None else pounds_value(row["difference"]),
            ]
            for row in comparison
        ],
    )
    if download:
        return download
    return render(
        request,
        "money/formula.html",
        {
            "page_title": f"Funding formula for {year.name}",
            "council": council,
            "year": year,
            "committed": committed,
            "draft": draft,
            "comparison": comparison,
            "problem": problem,
            "factors": services.known_factors(council),
            "versions": selectors.formula_versions(council, year),
            "can_manage": permissions.can_manage_money(request.user, council),
        },
    )


@signed_in("money.can_manage_money")
@require_http_methods(["GET", "POST"])
def change_draft(request, council_slug, start_year):
    council, year = _managed_year(request, council_slug, start_year)
    draft = selectors.draft_formula(council, year)
    if draft is None and request.method == "POST" and "start" in request.POST:
        try:
            services.start_formula_draft(council=council, academic_year=year, acting_user=request.user)
        except services.MoneyError as error:
            messages.error(request, str(error))
            return redirect("money:formula", council.slug, year.start_year)
        return redirect("money:change-draft", council.slug, year.start_year)
    if draft is None:
        return render(
            request,
            "money/start_draft.html",
            {"page_title": "Start a new version of the formula", "council": council, "year": year},
        )
    form = _formula_form(council, draft, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_formula_draft(
                formula=draft,
                high_needs_pence=data["high_needs"],
                top_slice_percent=data["top_slice_percent"],
                top_slice_pence=data["top_slice"],
                census_month=selectors.parse_month(data["census_month"]),
                floor_pence=data["floor"],
                cap_pence=data["cap"],
                weights=form.weights(),
                acting_user=request.user,
            )
        except services.MoneyError as error:
            apply_errors(
                form,
                error,
                {
                    "high_needs_pence": "high_needs",
                    "top_slice_pence": "top_slice",
                    "floor_pence": "floor",
                    "cap_pence": "cap",
                },
            )
        else:
            messages.success(request, "Draft saved. Compare it with the committed formula below.")
            return redirect("money:formula", council.slug, year.start_year)
    return render(
        request,
        "money/change_draft.html",
        {
            "page_title": f"Draft formula, version {draft.version}",
            "council": council,
            "year": year,
            "form": form,
        },
    )


@signed_in("money.can_manage_money")
@require_http_methods(["GET", "POST"])
def commit_formula(request, council_slug, start_year):
    council, year = _managed_year(request, council_slug, start_year)
    draft = selectors.draft_formula(council, year)
    allow_or_404(draft is not None)
    committed = selectors.committed_formula(council, year)
    form = CommitFormulaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.commit_formula(
                formula=draft, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except services.MoneyError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Formula version {draft.version} committed. The pots have been filled."
            )
            return redirect("money:council", council.slug)
    return render(
        request,
        "money/commit_formula.html",
        {
            "page_title": f"Commit version {draft.version} of the formula",
            "council": council,
            "year": year,
            "draft": draft,
            "committed": committed,
            "form": form,
        },
    )


@signed_in("money.can_manage_money")
@require_http_methods(["GET", "POST"])
def year_end(request, council_slug, start_year):
    council, year = _managed_year(request, council_slug, start_year)
    money = selectors.council_money(council, year)
    error = ""
    next_year = selectors.year_of(council, year.start_year + 1)
    if request.method == "POST" and request.POST.get("open_next") and next_year is None:
        organisations.open_academic_year(
            council=council, start_year=year.start_year + 1, acting_user=request.user
        )
        messages.success(
            request, f"The {year.start_year + 1}/{(year.start_year + 2) % 100:02d} year is open."
        )
        return redirect("money:year-end", council.slug, year.start_year)
    if request.method == "POST":
        try:
            services.close_year(council=council, academic_year=year, acting_user=request.user)
        except services.MoneyError as refusal:
            error = str(refusal)
        else:
            messages.success(request, f"The {year.name} year is closed.")
            return redirect(f"{reverse('money:council', args=[council.slug])}?year={year.start_year}")
    return render(
        request,
        "money/year_end.html",
        {
            "page_title": f"Close the {year.name} year",
            "council": council,
            "year": year,
            "money": money,
            "error": error,
            "next_year_missing": next_year is None and council.year_end_rule == "carry_forward",
        },
    )


@signed_in("money.can_manage_money")
@require_http_methods(["GET", "POST"])
def transfer(request, council_slug, start_year):
    """Move uncommitted money between two of the year's pots, for example to top up a contingency."""
    council, year = _managed_year(request, council_slug, start_year)
    pots = {pot.pk: pot for pot in selectors.pots_of_year(year)}
    form = TransferForm(request.POST or None, pots=pots.values())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer(
                from_pot=pots[data["from_pot"]],
                to_pot=pots[data["to_pot"]],
                amount_pence=data["amount"],
                reason=data["reason"],
                acting_user=request.user,
            )
        except services.MoneyError as error:
            apply_errors(form, error, {"amount_pence": "amount"})
        else:
            messages.success(request, "The money has been moved.")
            return redirect(f"{reverse('money:council', args=[council.slug])}?year={year.start_year}")
    return render(
        request,
        "money/transfer.html",
        {"page_title": "Move money between pots", "council": council, "year": year, "form": form},
    )


@signed_in("money.can_manage_money")
@require_http_methods(["GET", "POST"])
def factors(request, council_slug, start_year):
    """The council's own factors for the year, and a file of each school's value for one of them."""
    council, year = _managed_year(request, council_slug, start_year)
    form = FactorUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = imports.import_factor_values(
            council=council,
            academic_year=year,
            name=form.cleaned_data["name"],
            data=form.cleaned_data["file"],
            acting_user=request.user,
        )
    return render(
        request,
        "money/factors.html",
        {
            "page_title": f"The council's own factors for {year.name}",
            "council": council,
            "year": year,
            "form": form,
            "report": report,
            "factors": selectors.custom_factors(council, year),
        },
    )


# A cluster


@signed_in("money.can_view_cluster_money")
def cluster_money(request, cluster_pk):
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(permissions.can_view_cluster_money(request.user, cluster))
    year = _year_for(cluster.council, start_year(request))
    pots = selectors.cluster_pots(cluster, year)
    formula = selectors.committed_formula(cluster.council, year)
    share = selectors.shares_of(formula).get(cluster.pk)
    context = {
        "page_title": f"{cluster.name}: money for {year.name}",
        "cluster": cluster,
        "year": year,
        "years": selectors.years_of(cluster.council),
        "pots": pots,
        "formula": formula,
        "share": share,
        "factors": services.known_factors(cluster.council),
        "weights": {w.factor: w.weight for w in formula.weights.all()} if formula else {},
        "sees_ledger": permissions.can_view_cluster_ledger(request.user, cluster),
    }
    if context["sees_ledger"]:
        own = [pot for pot in pots.values() if pot is not None]
        form = LedgerFilterForm(request.GET or None, financial_years=selectors.financial_years_of(own))
        entries = selectors.ledger_of(own, **form.filters())
        awards = selectors.awards_of_pots(own)
        if request.GET.get("table") == "awards":
            download = _download(
                request,
                filename=f"{cluster.slug}-awards-{year.start_year}",
                head=["Award", "Paid to", "Pot", "Committed", "Paid", "Still to pay", "Status"],
                rows=[
                    [
                        a.reference,
                        a.payee_school.name,
                        a.pot.get_kind_display(),
                        pounds_value(a.committed),
                        pounds_value(a.paid),
                        pounds_value(a.outstanding),
                        a.get_status_display(),
                    ]
                    for a in awards
                ],
            )
            if download:
                return download
        download = _download(
            request,
            filename=f"{cluster.slug}-ledger-{year.start_year}",
            head=["Date", "Financial year", "Pot", "Type", "Amount", "Award", "Paid to", "Reason", "By"],
            rows=[
                [
                    e.occurred_on.isoformat(),
                    e.financial_year_name,
                    e.pot.get_kind_display(),
                    e.get_entry_type_display(),
                    pounds_value(e.amount_pence),
                    e.award.reference if e.award else "",
                    e.award.payee_school.name if e.award else "",
                    e.reason,
                    e.actor_name,
                ]
                for e in entries
            ],
        )
        if download:
            return download
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            page=Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
            query=query.urlencode(),
            awards=awards,
        )
    return render(request, "money/cluster.html", context)


# Awards


def _award_for(request, pk):
    award = selectors.award_for_page(request.user, pk)
    allow_or_404(award is not None and permissions.can_view_award(request.user, award))
    return award


@signed_in("money.can_view_award")
def award(request, pk):
    award = _award_for(request, pk)
    (award,) = selectors.with_amounts([award])
    return render(
        request,
        "money/award.html",
        {
            "page_title": f"Award {award.reference}",
            "award": award,
            "entries": selectors.award_entries(award),
            "schedule": award.schedule.select_related("term").all(),
            "can_manage": permissions.can_manage_pot(request.user, award.pot) and award.status == "active",
            "blind": triage_permissions.sees_blind(request.user, award.funding_request),
        },
    )


def _award_action(request, pk, form_class, act, *, title, done, fields=None):
    award = _award_for(request, pk)
    allow_or_403(permissions.can_manage_pot(request.user, award.pot))
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(award, form.cleaned_data)
        except services.MoneyError as error:
            apply_errors(form, error, fields)
        else:
            messages.success(request, done)
            return redirect("money:award", award.pk)
    (award,) = selectors.with_amounts([award])
    return render(request, "money/award_action.html", {"page_title": title, "award": award, "form": form})


@signed_in("money.can_manage_pot")
@require_http_methods(["GET", "POST"])
def record_payment(request, pk):
    return _award_action(
        request,
        pk,
        PaymentForm,
        lambda award, data: services.record_payment(
            award=award,
            amount_pence=data["amount"],
            paid_on=data["paid_on"],
            note=data["note"],
            acting_user=request.user,
        ),
        title="Record a payment",
        done="Payment recorded",
        fields={"amount_pence": "amount"},
    )


@signed_in("money.can_manage_pot")
@require_http_methods(["GET", "POST"])
def vary_award(request, pk):
    return _award_action(
        request,
        pk,
        VaryAwardForm,
        lambda award, data: services.vary_award(
            award=award, amount_pence=data["amount"], reason=data["reason"], acting_user=request.user
        ),
        title="Change the amount of the award",
        done="The award has been changed",
        fields={"amount_pence": "amount"},
    )


@signed_in("money.can_manage_pot")
@require_http_methods(["GET", "POST"])
def end_award(request, pk):
    return _award_action(
        request,
        pk,
        EndAwardForm,
        lambda award, data: services.end_award_early(
            award=award, reason=data["reason"], acting_user=request.user
        ),
        title="End the award early",
        done="The award has ended. What was not paid has gone back to its pot.",
    )


@signed_in("money.can_view_school_awards")
def school_awards(request, school_pk):
    school = get_object_or_404(schools_visible_to(request.user), pk=school_pk)
    allow_or_404(permissions.can_view_school_awards(request.user, school))
    awards = selectors.awards_of_school(school)
    download = _download(
        request,
        filename=f"awards-{school.urn or school.pk}",
        head=["Award", "Year", "Decided", "Committed", "Paid", "Still to pay", "Status"],
        rows=[
            [
                a.reference,
                a.pot.academic_year.name,
                a.decided_on.isoformat(),
                pounds_value(a.committed),
                pounds_value(a.paid),
                pounds_value(a.outstanding),
                a.get_status_display(),
            ]
            for a in awards
        ],
    )
    if download:
        return download
    return render(
        request,
        "money/school_awards.html",
        {
            "page_title": f"{school.name}: awards and payments",
            "school": school,
            "awards": awards,
        },
    )
