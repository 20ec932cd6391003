"""Checks every HTML page a test fetches: valid HTML, one h1 that starts the title, unique ids,
and a CSP nonce on every script and style sheet."""

import re
from collections import Counter

import html5lib
from html5lib.constants import E as PARSE_ERRORS  # noqa: F401  (documents where the messages come from)

_NONCE = re.compile(r"'nonce-([^']+)'")


class PageProblem(AssertionError):
    pass


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def check_page(html: str, csp_header: str = "") -> None:
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    document = parser.parse(html)
    problems = [f"line {line}:{col} {code} {data or ''}" for (line, col), code, data in parser.errors]
    if not html.lstrip().lower().startswith("<!doctype html>"):
        problems.append("the page does not start with <!DOCTYPE html>")
    h1s = document.findall(".//h1")
    if len(h1s) != 1:
        problems.append(f"the page has {len(h1s)} h1 elements, not exactly one")
    titles = document.findall(".//title")
    if len(titles) != 1:
        problems.append("the page must have exactly one <title>")
    elif h1s:
        title = _text(titles[0]).removeprefix("Error: ")
        heading = _text(h1s[0])
        if not title.startswith(heading):
            problems.append(f"the <title> ‘{title}’ does not start with the h1 ‘{heading}’")
    ids = Counter(element.get("id") for element in document.iter() if element.get("id"))
    duplicates = [value for value, number in ids.items() if number > 1]
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    if re.search(r"&lt;(a|code|strong|span|p|ul|li)[ >]", html):
        problems.append("markup was escaped and shows as text (build it with link() or a macro)")
    if csp_header:
        nonces = set(_NONCE.findall(csp_header))
        for script in document.findall(".//script"):
            if script.get("nonce") not in nonces:
                problems.append(f"a script has no valid CSP nonce: {script.attrib}")
        # A style sheet in the page, or in an SVG drawn into it, is blocked without the nonce.
        styles = [
            e for e in document.iter() if isinstance(e.tag, str) and e.tag.rpartition("}")[2] == "style"
        ]
        if any(style.get("nonce") not in nonces for style in styles):
            problems.append("a style sheet has no valid CSP nonce (import the chart macro with context)")
    if problems:
        raise PageProblem("; ".join(problems))
