"""Charts people read: drawn on the server as SVG by pygal (ADR 17), so they need no JavaScript, print in
the PDFs, and carry a title and a description for screen readers. Every chart keeps its data as a table,
shown beside it and downloaded as CSV or Excel.

`bar_chart` and `line_chart` make a `Chart`; the `chart` macro in `charts.html` shows it; `chart_download`
answers a page's `?chart=<slug>&format=csv|xlsx` with that chart's data.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from xml.etree import ElementTree

import pygal
from django.http import HttpResponse
from markupsafe import Markup, escape
from pygal.style import Style

from clusterfund.core.exports import FORMATS, table_download

# The GOV.UK Design System's palette, in an order whose neighbours differ for people with colour blindness.
COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#28a197", "#912b88")
FONT = "arial, sans-serif"
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#b1b4b6",
    colors=COLOURS,
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    value_label_font_family=FONT,
    title_font_family=FONT,
    legend_font_family=FONT,
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=16,
    value_font_size=14,
    value_label_font_size=14,
    opacity="1",
    opacity_hover="1",
    transition="none",
)
_NUMBER = (int, float, Decimal, Fraction)


@dataclass(frozen=True)
class Chart:
    """A drawn chart with what it shows in words and as a table. `head` and `rows` are the data as plain
    values (numbers stay numbers) for the table and the downloads; `shown_rows` are the same rows as the
    page prints them."""

    slug: str
    title: str
    description: str
    head: list[str]
    rows: list[list]
    shown_rows: list[list[str]]
    svg: str

    def inline(self, nonce: str = "") -> Markup:
        """The SVG to put in a page: its style sheet carries the page's CSP nonce (none in a PDF)."""
        attribute = f' nonce="{escape(nonce)}"' if nonce else ""
        # The SVG is pygal's drawing of our numbers and escaped labels, never raw text from a person.
        return Markup(self.svg.replace("<style>", f"<style{attribute}>", 1))  # noqa: S704

    def download(self, file_format: str, filename_prefix: str = "") -> HttpResponse:
        """The chart's data as a CSV or Excel file."""
        name = "-".join(part for part in (filename_prefix, self.slug) if part)
        return table_download(filename=name, head=self.head, rows=self.rows, file_format=file_format)


def chart_download(request, charts: list[Chart], filename_prefix: str = "") -> HttpResponse | None:
    """The file a page's `?chart=<slug>&format=csv` (or `xlsx`) asks for, or None when it asks for none.
    An unknown chart or format is simply not a download: the page is shown."""
    slug, file_format = request.GET.get("chart"), request.GET.get("format")
    if not slug or file_format not in FORMATS:
        return None
    for chart in charts:
        if chart.slug == slug:
            return chart.download(file_format, filename_prefix)
    return None


def _number(value) -> float:
    return float(value) if isinstance(value, _NUMBER) else 0.0


def _finished(chart, *, slug: str, title: str, description: str) -> str:
    """pygal's SVG made fit for a page: an accessible image with its own title and description, no
    script, no tooltips, no inline style attributes (the CSP forbids them), and a stable id."""
    root = chart.render_tree()
    root.set("role", "img")
    root.set("aria-labelledby", f"chart-{slug}-title chart-{slug}-desc")
    root.set("focusable", "false")
    root.set("class", "app-chart__svg")
    pairs = [(parent, element) for parent in root.iter() for element in parent]
    for parent, element in pairs:
        tag = element.tag if isinstance(element.tag, str) else ""  # pygal's tags carry no namespace
        # pygal's own titles go too: the chart's first child below says what the chart is.
        if tag in ("", "script", "title") or "tooltip" in element.get("class", "").split():
            parent.remove(element)
        else:
            # Its legend's ids would repeat in a page of several charts; nothing refers to them.
            element.attrib.pop("style", None)
            element.attrib.pop("id", None)
    title_element = ElementTree.Element("title", id=f"chart-{slug}-title")
    title_element.text = title
    desc_element = ElementTree.Element("desc", id=f"chart-{slug}-desc")
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    text = ElementTree.tostring(root, encoding="unicode")
    # pygal names its chart with a random id; the slug is stable, so pages and tests can rely on it.
    text = text.replace(chart.uuid, slug)
    text = re.sub(r'<style type="text/css">', "<style>", text)
    return text


def _config(**options) -> dict:
    return {
        "js": [],
        "style": STYLE,
        "disable_xml_declaration": True,
        "no_prefix": False,
        "print_values": False,
        "show_legend": True,
        "legend_at_bottom": True,
        "truncate_label": -1,
        "truncate_legend": -1,
        "width": 760,
        "height": 420,
        "margin": 16,
        **options,
    }


def bar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[tuple[str, list]],
    label_heading: str,
    value_format=str,
    horizontal: bool = True,
) -> Chart:
    """Bars for each label, one bar per series: requests by type, need share beside money share. Values
    are numbers (None for a value not shown); `value_format` writes one for the table."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(240, 80 + 36 * len(labels) * max(1, len(series))) if horizontal else 420
    chart = kind(**_config(height=height, show_legend=len(series) > 1))
    # A horizontal chart draws its first label at the bottom: reversed, it reads top down like the table.
    order = list(reversed(range(len(labels)))) if horizontal else list(range(len(labels)))
    chart.x_labels = [labels[index] for index in order]
    for name, values in series:
        chart.add(name, [None if values[index] is None else _number(values[index]) for index in order])
    head = [label_heading, *(name for name, _ in series)]
    rows = [[label, *(values[index] for _, values in series)] for index, label in enumerate(labels)]
    shown = [[row[0], *("" if value is None else value_format(value) for value in row[1:])] for row in rows]
    return Chart(
        slug=slug,
        title=title,
        description=description,
        head=head,
        rows=[[_plain(value) for value in row] for row in rows],
        shown_rows=shown,
        svg=_finished(chart, slug=slug, title=title, description=description),
    )


def line_chart(
    *,
    slug: str,
    title: str,
    description: str,
    x_title: str,
    y_title: str,
    series: list[tuple[str, list[tuple]]],
    value_format=str,
) -> Chart:
    """Lines through (x, y) points: a Lorenz curve beside the line of equality, say. The table has a row per
    point of each series."""
    # A dot on each point helps read a few; on a curve through hundreds of schools they are a smudge, and
    # each costs the page a few milliseconds.
    dots = max((len(points) for _, points in series), default=0) <= 40
    chart = pygal.XY(**_config(x_title=x_title, y_title=y_title, show_dots=dots, dots_size=3, stroke=True))
    for name, points in series:
        chart.add(name, [(_number(x), _number(y)) for x, y in points])
    head = ["Line", x_title, y_title]
    rows = [[name, x, y] for name, points in series for x, y in points]
    shown = [[name, value_format(x), value_format(y)] for name, x, y in rows]
    return Chart(
        slug=slug,
        title=title,
        description=description,
        head=head,
        rows=[[_plain(value) for value in row] for row in rows],
        shown_rows=shown,
        svg=_finished(chart, slug=slug, title=title, description=description),
    )


def _plain(value):
    """A value for a spreadsheet cell: exact fractions become decimals with four places."""
    if isinstance(value, Fraction):
        return round(Decimal(value.numerator) / Decimal(value.denominator), 4)
    return value
