"""Where files holding personal data are kept: outside the web root, with no public URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_FILES_ROOT (read when used, so tests can point it elsewhere). They have no URL:
    a file is only ever served by a view that checks the person may see what it belongs to."""

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return str(settings.PRIVATE_FILES_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks permission.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
