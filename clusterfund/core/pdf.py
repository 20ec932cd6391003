"""Pages as PDFs, with WeasyPrint (ADR 14): our own Jinja templates and a print stylesheet, laid out on A4
with page numbers.

A PDF is made on the server from data about children, so nothing in it may reach outside the machine:
WeasyPrint is given a fetcher that serves only the project's own static files and refuses every other
address (web, file, data), whatever the HTML asks for.
"""

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative addresses in a PDF's HTML resolve against this origin, which the fetcher answers from the
# static files. `.invalid` never resolves (RFC 2606), and the fetcher never opens a connection anyway.
ORIGIN = "https://pdf.clusterfund.invalid"

CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}

PRINT_CSS = """
@page {
  size: A4;
  margin: 18mm 16mm 20mm;
  @bottom-left { content: string(document-title); font-size: 8pt; color: #505a5f; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #505a5f; }
}
html { font-family: Arial, "Helvetica Neue", Helvetica, "DejaVu Sans", sans-serif; font-size: 10pt;
  line-height: 1.35; color: #0b0c0c; }
body { margin: 0; }
h1 { font-size: 20pt; margin: 0 0 4mm; string-set: document-title content(); }
h2 { font-size: 14pt; margin: 7mm 0 2mm; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; break-after: avoid; }
p, ul, ol, dl { margin: 0 0 3mm; }
a { color: #1d70b8; }
table { width: 100%; border-collapse: collapse; margin: 0 0 4mm; }
caption { text-align: left; font-weight: bold; margin-bottom: 1mm; }
th, td { border-bottom: 0.5pt solid #b1b4b6; padding: 1.5mm 2mm 1.5mm 0; text-align: left;
  vertical-align: top; }
th { font-weight: bold; }
.numeric { text-align: right; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
dl.summary { display: grid; grid-template-columns: 32% 1fr; column-gap: 4mm; }
dl.summary dt { font-weight: bold; border-bottom: 0.5pt solid #b1b4b6; padding: 1.5mm 0; }
dl.summary dd { margin: 0; border-bottom: 0.5pt solid #b1b4b6; padding: 1.5mm 0; }
.preserve-lines { white-space: pre-line; }
.caption { color: #505a5f; font-size: 11pt; margin: 0 0 1mm; }
.hint { color: #505a5f; }
.inset { border-left: 3pt solid #b1b4b6; padding-left: 3mm; margin: 0 0 4mm; }
.item { break-before: page; }
"""

# A plain stylesheet for long documents that must render fast, such as the evidence pack (measured in
# benchmarks/evidence_pack.py): blocks only, no grid, no tables, no page break per item, one font the machine
# has. The font and the size of the stylesheet hardly change WeasyPrint's time; the number of boxes it lays
# out does. Grids (the print stylesheet's `dl.summary`) and tables lay their cells out more than once, and
# each inline element costs about as much as a line of text, so documents set with this keep both few.
PLAIN_CSS = """
@page {
  size: A4;
  margin: 16mm 15mm 18mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #505a5f; }
}
html { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.3; color: #0b0c0c; }
body { margin: 0; }
h1 { font-size: 17pt; margin: 0 0 3mm; }
h2 { font-size: 12.5pt; margin: 5mm 0 2mm; }
h3 { font-size: 10pt; margin: 0 0 1mm; }
p { margin: 0 0 1.2mm; }
a { color: #1d70b8; }
.preserve-lines { white-space: pre-line; }
.caption, .hint { color: #505a5f; }
.outcome { margin-left: 4mm; }
.entry { border-top: 0.5pt solid #b1b4b6; padding-top: 1.5mm; margin-bottom: 2mm; }
.highlighted { border-left: 3pt solid #4c2c92; padding-left: 3mm; }
"""


class StaticFilesOnly(URLFetcher):
    """Answers WeasyPrint from the project's static files and refuses every other address."""

    def fetch(self, url, headers=None):
        path = self.static_path(url)
        if path is None:
            raise ValueError(f"A PDF may use only the service's own static files, not {url[:200]}")
        return URLFetcherResponse(
            url,
            body=path.read_bytes(),
            headers={"Content-Type": CONTENT_TYPES.get(path.suffix, "application/octet-stream")},
        )

    @staticmethod
    def static_path(url: str) -> Path | None:
        """The file on disk for a static URL on `ORIGIN`, or None for anything else."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN or not parts.path.startswith(settings.STATIC_URL):
            return None
        name = unquote(parts.path.removeprefix(settings.STATIC_URL))
        if not name or posixpath.normpath(name) != name or name.startswith(("/", "..")):
            return None
        try:
            found = staticfiles_storage.path(name) if settings.STATIC_ROOT else finders.find(name)
        except (SuspiciousFileOperation, NotImplementedError):
            return None
        path = Path(found) if isinstance(found, str) else None
        return path if path is not None and path.is_file() else None


def render_pdf(template_name: str, context: dict, *, request=None, stylesheet: str = PRINT_CSS) -> bytes:
    """The template rendered as a tagged A4 PDF, with the print stylesheet (or `stylesheet`) and only local
    static files."""
    html = render_to_string(template_name, context, request=request)
    fetcher = StaticFilesOnly(fail_on_errors=False)
    document = HTML(string=html, base_url=f"{ORIGIN}/", url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[CSS(string=stylesheet, url_fetcher=fetcher)],
        pdf_tags=True,
    )


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A PDF to download (or, `inline`, to show in the browser) under `filename`."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    safe_name = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename) or "document.pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
