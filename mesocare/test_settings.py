"""Settings for the test suite: the real settings, with a fixed key and the fast options."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from .settings import *  # noqa: E402, F403

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
