"""Keeping cached pages fresh: once a change commits, every cached page built before it is
left behind (the pages are cached under procedures.models.freshness.content_version())."""

from procedures.models import freshness

from .side_effects import after_commit


def content_changed():
    after_commit("content changed", freshness.content_changed)
