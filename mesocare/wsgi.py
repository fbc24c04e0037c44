import gc
import importlib
import importlib.util
import os
import sys
import types


class LoadedOnFirstUse(types.ModuleType):
    """Stands in for an installed module until a name in it is first looked up; then loads it
    and becomes it (an `import` of it binds the stand-in and loads nothing). It has the
    module's own spec and path, so that one of its submodules is imported once, not again
    when the module itself is loaded."""

    def __init__(self, spec):
        super().__init__(spec.name)
        self.__spec__, self.__path__ = spec, spec.submodule_search_locations

    def __getattr__(self, name):
        if sys.modules.get(self.__name__) is self:
            sys.modules.pop(self.__name__, None)
        module = importlib.import_module(self.__name__)
        self.__dict__.update(vars(module))
        return getattr(module, name)


# Loaded by Django and DRF whenever they are there, used only by what a web server never does:
# sqlparse (about 0.6 MiB in each worker) by Django's database layer, for migrations and
# manage.py (splitting SQL scripts, reading SQLite's table definitions); uritemplate by DRF and
# drf-spectacular, for the OpenAPI document. Stand-ins before Django is imported, so that their
# `import` binds the stand-in.
for used_elsewhere in ("sqlparse", "uritemplate"):
    spec = importlib.util.find_spec(used_elsewhere)  # where it is, without loading it
    if spec and used_elsewhere not in sys.modules:
        sys.modules[used_elsewhere] = LoadedOnFirstUse(spec)

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

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

# The cache backend's module, which Django would import with each worker's first request
# (about 0.4 MiB a worker with Redis): loaded once, before gunicorn forks the workers.
import_string(settings.CACHES["default"]["BACKEND"])

# Loaded once by gunicorn's master (--preload) and shared by the workers it forks: keep the
# garbage collector off these objects, so that it does not copy the shared memory into each.
gc.freeze()
