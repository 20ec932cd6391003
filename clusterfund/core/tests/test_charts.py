"""Charts drawn on the server: accessible SVG with no script, their data as a table and a download."""

import csv
import io
from fractions import Fraction
from xml.etree import ElementTree

from django.test import RequestFactory
from openpyxl import load_workbook

from clusterfund.core.charts import bar_chart, chart_download, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _requests_by_type():
    return bar_chart(
        slug="requests-by-type",
        title="Requests by type",
        description="Individual requests were the most common.",
        labels=["Individual", "Group", "Project"],
        series=[("Submitted", [7, 3, 1]), ("Approved", [5, None, 1])],
        label_heading="Type",
    )


def test_a_bar_chart_is_an_image_with_its_own_title_and_description():
    chart = _requests_by_type()
    root = ElementTree.fromstring(chart.svg)
    assert root.get("role") == "img"
    labelled_by = root.get("aria-labelledby").split()
    titles = {element.get("id"): element.text for element in root if element.get("id") in labelled_by}
    assert titles == {
        "chart-requests-by-type-title": "Requests by type",
        "chart-requests-by-type-desc": "Individual requests were the most common.",
    }
    assert not root.findall(f".//{SVG}script")
    assert all("style" not in element.attrib for element in root.iter())


def test_the_drawing_is_the_same_every_time():
    assert _requests_by_type().svg == _requests_by_type().svg
    assert "chart-requests-by-type" in _requests_by_type().svg


def test_the_style_sheet_carries_the_pages_nonce():
    chart = _requests_by_type()
    assert '<style nonce="n0nce">' in chart.inline("n0nce")
    assert "<style>" in chart.inline("")


def test_the_table_keeps_the_labels_in_order_and_blank_for_a_value_not_shown():
    chart = _requests_by_type()
    assert chart.head == ["Type", "Submitted", "Approved"]
    assert chart.shown_rows == [["Individual", "7", "5"], ["Group", "3", ""], ["Project", "1", "1"]]


def test_the_data_downloads_as_csv_and_excel_with_numbers_as_numbers():
    chart = line_chart(
        slug="lorenz",
        title="Lorenz curve",
        description="Money is spread unevenly.",
        x_title="Share of schools",
        y_title="Share of money",
        series=[("Money", [(0, 0), (Fraction(1, 3), Fraction(1, 10)), (1, 1)])],
    )
    factory = RequestFactory()
    response = chart_download(factory.get("/?chart=lorenz&format=csv"), [chart], "kirklees")
    assert response["Content-Disposition"] == 'attachment; filename="kirklees-lorenz.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Line", "Share of schools", "Share of money"]
    assert rows[2] == ["Money", "0.3333", "0.1000"]
    response = chart_download(factory.get("/?chart=lorenz&format=xlsx"), [chart])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[3]] == ["Money", 0.3333, 0.1]


def test_a_page_without_a_chart_download_is_just_the_page():
    factory = RequestFactory()
    assert chart_download(factory.get("/"), [_requests_by_type()]) is None
    assert chart_download(factory.get("/?chart=unknown&format=csv"), [_requests_by_type()]) is None
    assert chart_download(factory.get("/?chart=requests-by-type&format=exe"), [_requests_by_type()]) is None
