from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.organisations.selectors import schools_visible_to
from clusterfund.pupils import permissions, selectors, services
from clusterfund.pupils.forms import PupilForm, TransferForm
from clusterfund.pupils.needs import AreaOfNeed


def _school_for(request, school_pk):
    school = get_object_or_404(schools_visible_to(request.user), pk=school_pk)
    allow_or_404(permissions.can_view_pupils_of_school(request.user, school))
    return school


def _pupil_for(request, pk):
    pupil = get_object_or_404(selectors.pupils_visible_to(request.user), pk=pk)
    allow_or_404(permissions.can_view_pupils_of_school(request.user, pupil.school))
    return pupil


@signed_in("can_view_pupils_of_school")
def pupil_list(request, school_pk):
    school = _school_for(request, school_pk)
    area = request.GET.get("area", "")
    area = area if area in AreaOfNeed.values else ""
    return render(
        request,
        "pupils/list.html",
        {
            "page_title": f"Pupils at {school.name}",
            "school": school,
            "pupils": selectors.pupils_of_school(school, area=area),
            "areas": AreaOfNeed.choices,
            "area": area,
            "can_keep": permissions.can_keep_pupils_of_school(request.user, school),
            "can_see_names": permissions.can_keep_pupils_of_school(request.user, school),
        },
    )


def _save(request, form, *, school, pupil=None):
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        if pupil is None:
            return services.add_pupil(school=school, acting_user=request.user, **form.cleaned_data)
        return services.change_pupil(pupil=pupil, acting_user=request.user, **form.cleaned_data)
    except services.PupilError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return None


@signed_in("can_keep_pupils_of_school")
def add_pupil(request, school_pk):
    school = _school_for(request, school_pk)
    allow_or_403(permissions.can_keep_pupils_of_school(request.user, school))
    form = PupilForm(request.POST or None, names_allowed=school.council.pupil_names_allowed)
    pupil = _save(request, form, school=school)
    if pupil is not None:
        messages.success(request, f"Pupil {pupil.reference} added")
        return redirect("pupils:pupil", pupil.pk)
    return render(request, "pupils/form.html", {"page_title": "Add a pupil", "form": form, "school": school})


@signed_in("can_view_pupils_of_school")
def pupil(request, pk):
    pupil = _pupil_for(request, pk)
    services.record_pupil_viewed(pupil=pupil, acting_user=request.user)
    return render(
        request,
        "pupils/pupil.html",
        {
            "page_title": f"Pupil {pupil.reference}",
            "pupil": pupil,
            "history": selectors.ehc_history(pupil),
            "transfers": selectors.transfers_of(pupil),
            "can_keep": permissions.can_keep_pupils_of_school(request.user, pupil.school),
            "can_see_name": permissions.can_see_pupil_name(request.user, pupil),
        },
    )


@signed_in("can_keep_pupils_of_school")
def change_pupil(request, pk):
    pupil = _pupil_for(request, pk)
    allow_or_403(permissions.can_keep_pupils_of_school(request.user, pupil.school))
    initial = {name: getattr(pupil, name) for name in [*services.RECORDED_FIELDS, "name"]}
    form = PupilForm(
        request.POST or None, initial=initial, names_allowed=pupil.school.council.pupil_names_allowed
    )
    saved = _save(request, form, school=pupil.school, pupil=pupil)
    if saved is not None:
        messages.success(request, f"Pupil {saved.reference} updated")
        return redirect("pupils:pupil", saved.pk)
    return render(
        request,
        "pupils/form.html",
        {
            "page_title": f"Change pupil {pupil.reference}",
            "form": form,
            "school": pupil.school,
            "pupil": pupil,
        },
    )


@signed_in("can_keep_pupils_of_school")
def transfer_pupil(request, pk):
    pupil = _pupil_for(request, pk)
    allow_or_403(permissions.can_keep_pupils_of_school(request.user, pupil.school))
    form = TransferForm(request.POST or None, schools=selectors.transfer_destinations(pupil))
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_pupil(
                pupil=pupil, to_school=form.cleaned_data["to_school"], acting_user=request.user
            )
        except services.PupilError as error:
            form.add_error("to_school", str(error))
        else:
            messages.success(
                request, f"Pupil {pupil.reference} moved to {form.cleaned_data['to_school'].name}"
            )
            return redirect("pupils:list", pupil.school_id)
    return render(
        request,
        "pupils/transfer.html",
        {"page_title": f"Move pupil {pupil.reference} to another school", "form": form, "pupil": pupil},
    )
