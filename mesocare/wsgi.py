import gc
import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocare.settings")

# Django REST framework imports these whenever they are installed, for what the site's web
# server never uses: its requests-based test client, and highlighting in its browsable API
# (which is off). They are here only because the test tools need them, and loaded they would
# cost every web worker about 6 MiB; as psycopg on SQLite (settings.py), they are not loaded.
for only_for_tests in ("requests", "pygments"):
    sys.modules.setdefault(only_for_tests, None)  # an import of it now fails, as if not installed

application = get_wsgi_application()

# DRF also loads PyYAML (0.7 MiB with its C library) whenever it is installed, for a renderer of
# its own OpenAPI documents, which the site does not use. drf-spectacular's renderer, which
# writes the site's document, imports PyYAML itself when the document is first asked for.
sys.modules["yaml"] = None
import rest_framework.compat  # noqa: E402, F401 (imported now, without PyYAML)

del sys.modules["yaml"]

# Loaded once by gunicorn's master (--preload) and shared by the workers it forks: keep the
# garbage collector off these objects, so that it does not copy the shared memory into each.
gc.freeze()
