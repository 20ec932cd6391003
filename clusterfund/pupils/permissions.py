"""Who may see and keep pupils' records. Pupil data is special-category personal data."""

from clusterfund.accounts.permissions import scope_of


def can_view_pupils_of_school(user, school) -> bool:
    """The school's own staff, and the council's SEND team (council admins), who see references only."""
    scope = scope_of(user)
    return school.pk in scope.staff_of or school.council_id in scope.council_admin_of


def can_keep_pupils_of_school(user, school) -> bool:
    """Only the school's own staff add and change its pupils."""
    return school.pk in scope_of(user).staff_of


def can_see_pupil_name(user, pupil) -> bool:
    """A pupil's real name is seen by their own school's staff and nobody else."""
    return pupil.school_id in scope_of(user).staff_of
