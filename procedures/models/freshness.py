"""The number every cached page is keyed by: it changes whenever what patients see changes."""

from django.core.cache import cache
from django.utils import timezone

from .pages import Procedure

CONTENT_VERSION_KEY = "content-version"
NEXT_SCHEDULED_CHANGE_KEY = "next-scheduled-change"


def content_version():
    """A number that changes whenever any content is saved, or a page goes live or is
    withdrawn at its set time; part of every page-cache key."""
    next_change = cache.get(NEXT_SCHEDULED_CHANGE_KEY)
    if next_change is None:
        cache.set(NEXT_SCHEDULED_CHANGE_KEY, Procedure.objects.next_scheduled_change(), timeout=None)
    elif next_change <= timezone.now():
        content_changed()  # a scheduled page just went live or was withdrawn: lists on pages change
    return cache.get_or_set(CONTENT_VERSION_KEY, 1, timeout=None)


def content_changed():
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, 2, timeout=None)
    cache.delete(NEXT_SCHEDULED_CHANGE_KEY)  # worked out again when next asked
