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

# DRF also loads PyYAML and Python-Markdown whenever they are installed, for its own OpenAPI
# renderer and its browsable API, neither of which the site uses (about 2 MiB). Where the
# site needs them they are loaded on first use: PyYAML by drf-spectacular's renderer with the
# first request for the OpenAPI document, Markdown with the first text rendered (an editor's
# save or preview; procedures/text/markdown.py).
unused_by_drf = [name for name in ("yaml", "markdown") if name not in sys.modules]
for name in unused_by_drf:
    sys.modules[name] = None
import rest_framework.compat  # noqa: E402, F401 (imported now, without them)

for name in unused_by_drf:
    del sys.modules[name]

# Loaded once by gunicorn's master (--preload) and shared by the workers it forks: keep the
# garbage collector off these objects, so that it does not copy the shared memory into each.
gc.freeze()
