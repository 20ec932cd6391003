"""Where files holding personal data are kept: outside the web root, with no public URL."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Storage for attachments. It has no base URL: a file is only ever served by a view that checks
    the person may see the request it belongs to."""
    return FileSystemStorage(location=settings.PRIVATE_FILES_ROOT, base_url=None)
