"""The two ways a service says no, shared by every app: a refusal the rules make, and input that is wrong,
with a message for each field. Pages put them on their forms with `apply_errors`."""


class Refused(Exception):
    """A change the rules forbid, with a message the person can read."""


class Invalid(Refused):
    """What the person entered is wrong; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def apply_errors(form, error: Refused, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on a form: each field's message on that field (renamed by `fields` where
    the form calls it something else), and anything else at the top of the error summary."""
    fields = fields or {}
    if isinstance(error, Invalid):
        for name, message in error.errors.items():
            field = fields.get(name, name)
            form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, str(error))


TEXT_LIMIT = 5000


def checked_text(errors: dict, field: str, value, what: str, *, required=True, limit=TEXT_LIMIT) -> str:
    """Free text trimmed, with what is wrong with it put into `errors[field]` ("Enter the reason", "The
    reason must be 5,000 characters or fewer"); `what` names it in words."""
    value = (value or "").strip()
    if required and not value:
        errors[field] = f"Enter {what}"
    elif len(value) > limit:
        errors[field] = f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer"
    return value
