"""Settings for the test suite: the real settings, with a fixed key and the fast options."""

import os
import sys

import django

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from .settings import *  # noqa: E402, F403

# The tests of database outages raise psycopg's own errors, on SQLite too.
if sys.modules.get("psycopg", False) is None:
    del sys.modules["psycopg"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "mesocare"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files straight from static/ and the apps, as in development: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Background tasks run at once, inside the code that queues them, so a test sees their work as
# soon as the save returns. Tests of the queue itself switch to the database backend
# (tests/publishing/test_background.py).
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if django.VERSION >= (6, 0)
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default"],
    }
}

# No pause between background batches: nothing else is waiting to write in a test.
RENDER_PAUSE_SECONDS = 0
