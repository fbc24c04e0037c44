"""Which release of the code is running: a fingerprint of everything that shapes what a page
looks like (templates, code, the translation catalogues, static files' names, settings shown
on pages). Cached answers and
stored renderings carry it, so a new release never serves what an older one rendered."""

import datetime
import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

SHOWN_SETTINGS = (
    "API_RATE_LIMIT", "TIME_ZONE", "LANGUAGE_CODE", "LANGUAGES", "STATIC_URL", "MEDIA_URL", "REVIEW_INTERVAL_MONTHS",
    "A_TO_Z_ON_ONE_PAGE", "SITEMAP_MAX_URLS",
)  # fmt: skip


def release_files():
    base = Path(settings.BASE_DIR)
    files = [
        *sorted((base / "templates").rglob("*.html")),
        *sorted((base / "procedures").rglob("*.py")),
        *sorted((base / "procedures" / "locale").rglob("*.po")),  # the site's words in each language
    ]
    return [path for path in [*files, Path(settings.STATIC_ROOT) / "staticfiles.json"] if path.is_file()]


@cache
def files_fingerprint():
    """By content, not by time: every server running the same release agrees."""
    digest = hashlib.sha256()
    for path in release_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def installed_at():
    """When this release's files were put in place: what a page shows may have changed then."""
    newest = max((path.stat().st_mtime for path in release_files()), default=0)
    return datetime.datetime.fromtimestamp(newest, tz=datetime.UTC)


@cache
def fingerprint():
    shown = "|".join(f"{name}={getattr(settings, name, '')}" for name in SHOWN_SETTINGS)
    return hashlib.sha256(f"{files_fingerprint()}|{shown}".encode()).hexdigest()[:16]


@receiver(setting_changed)
def settings_changed(setting, **kwargs):  # in tests
    if setting in SHOWN_SETTINGS:
        fingerprint.cache_clear()
