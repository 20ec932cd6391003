"""Whole numbers read from a query string, a form box or a command's argument.

Only the ASCII digits 0 to 9 count: `str.isdigit()` alone also accepts '²' and other scripts' digits, which
`int()` refuses (a server error) or reads as another spelling of the same page (`?year=٢٠٢٥`).
"""


def whole_number(text: str) -> int | None:
    """The number written in plain digits, or None for anything else (a sign, a space inside, '²')."""
    text = text.strip()
    return int(text) if text and text.isascii() and text.isdigit() else None


def start_year(request) -> int | None:
    """The academic year a page's `?year=` names by its first calendar year, written in four digits."""
    value = request.GET.get("year", "")
    return int(value) if len(value) == 4 and value.isascii() and value.isdigit() else None
