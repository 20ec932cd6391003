import pytest

from clusterfund.core.tests.html_checks import PageProblem, check_page

GOOD = """<!DOCTYPE html><html lang="en"><head><title>Home – clusterfund</title></head>
<body><h1>Home</h1><p id="a">x</p><script nonce="abc">1</script></body></html>"""


def test_a_good_page_passes():
    check_page(GOOD, "script-src 'self' 'nonce-abc'")
    check_page(
        GOOD.replace("</p>", '</p><svg><style nonce="abc">.a{}</style></svg>'), "style-src 'nonce-abc'"
    )


@pytest.mark.parametrize(
    "html, message",
    [
        (GOOD.replace("<h1>Home</h1>", ""), "0 h1"),
        (GOOD.replace("<h1>Home</h1>", "<h1>Home</h1><h1>Again</h1>"), "2 h1"),
        (GOOD.replace("<title>Home", "<title>Other"), "does not start with the h1"),
        (GOOD.replace('<p id="a">x</p>', '<p id="a">x</p><div id="a"></div>'), "duplicate ids"),
        (GOOD.replace('nonce="abc"', ""), "no valid CSP nonce"),
        (GOOD.replace("<p id", "<p <span id"), "line"),
        (GOOD.replace(">x<", ">&lt;a href='/'>x&lt;/a><"), "escaped"),
        (
            GOOD.replace("</p>", '</p><svg role="img"><style>.a{}</style></svg>'),
            "style sheet has no valid CSP",
        ),
    ],
)
def test_a_bad_page_is_caught(html, message):
    with pytest.raises(PageProblem, match=message):
        check_page(html, "script-src 'self' 'nonce-abc'")
