"""The Jinja2 environment: our templates, the GOV.UK Frontend macros and a few helpers."""

from django.conf import settings
from django.contrib.messages import get_messages
from django.template.backends.jinja2 import Jinja2
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader
from markupsafe import Markup, escape

from clusterfund.core import formatting
from clusterfund.core.navigation import navigation_items


class Jinja2Templates(Jinja2):
    """Jinja2 templates that live in each app's `templates/` folder, as STYLE.md lays out."""

    app_dirname = "templates"


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def link(href: str, text) -> Markup:
    """A GOV.UK link as markup, for table cells and summary lists that take `html`."""
    return Markup('<a class="govuk-link" href="{}">{}</a>').format(href, text)


def visually_hidden(text) -> Markup:
    """Words for screen readers only, such as what a 'Change' link changes."""
    return Markup('<span class="govuk-visually-hidden">{}</span>').format(text)


def code(text) -> Markup:
    return Markup("<code>{}</code>").format(escape(text))


def environment(**options) -> Environment:
    loader = ChoiceLoader(
        [
            options.pop("loader"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]
    )
    options.pop("autoescape", None)
    # Always escape: every page carries people's data.
    env = Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True, **options)
    env.globals.update(
        {
            "url": url,
            "link": link,
            "code": code,
            "visually_hidden": visually_hidden,
            "static": static,
            "get_messages": get_messages,
            "navigation_items": navigation_items,
            "SERVICE_NAME": settings.SERVICE_NAME,
            "COUNCIL_NAME": settings.COUNCIL_NAME,
            "COUNCIL_COLOUR": settings.COUNCIL_COLOUR,
            "PHASE": settings.PHASE,
        }
    )
    env.filters.update(
        {
            "pounds": formatting.pounds,
            "count": formatting.count,
            "date": formatting.long_date,
            "datetime": formatting.long_datetime,
            "month": formatting.census_month,
        }
    )
    return env
