"""Full web addresses for links that leave the service, in emails: the SITE_URL setting and a path."""

from django.conf import settings


def site_url() -> str:
    """The service's own address, scheme and host, with no slash at the end."""
    return getattr(settings, "SITE_URL", "http://localhost:8000").rstrip("/")


def absolute(path: str) -> str:
    """A path of the service (from `reverse`) as an address someone can follow from an email."""
    return f"{site_url()}{path}"
