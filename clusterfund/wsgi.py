"""The WSGI application, for gunicorn.

Once Django is set up, every page's code is imported and `gc.freeze()` moves what is loaded (modules,
classes, settings: about 170,000 objects that live as long as the process) out of the garbage collector's
sight. Without it each full collection walks them all, which added about 100 ms to one request in ten on the
year-in-numbers pages (see `benchmarks/large_council.py`); frozen, a full collection is quick. Forked
workers also keep sharing those pages of memory.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterfund.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view module now, not on the first request
gc.freeze()
