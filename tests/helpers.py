"""What many tests share: admin addresses, the page's fixed section headings."""

from django.urls import reverse

SECTION_HEADINGS = [
    "What it is",
    "Who it is for",
    "How to prepare",
    "How it is done",
    "Risks and side effects",
    "Recovery and aftercare",
]


def change_url(obj):
    """The admin's change form for any object."""
    return reverse(f"admin:procedures_{obj._meta.model_name}_change", args=[obj.pk])
