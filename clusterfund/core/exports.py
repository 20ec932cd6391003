"""Every table downloads as CSV and as Excel: the same head and rows the page shows, as plain values."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

FORMATS = {"csv", "xlsx"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    """A spreadsheet must not run what a cell says: text that starts like a formula is kept as text.
    Numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_download(*, filename: str, head: list[str], rows: list[list], file_format: str) -> HttpResponse:
    """A CSV or Excel file of one table, named `filename` with the right extension."""
    if file_format == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = filename[:31]
        sheet.append(head)
        for row in rows:
            sheet.append([_safe(value) for value in row])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(head)
        writer.writerows([[_safe(value) for value in row] for row in rows])
        response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


def pounds_value(pence: int) -> Decimal:
    """Pence as pounds for a spreadsheet cell: an exact number with two decimal places, never text."""
    return Decimal(pence).scaleb(-2)
