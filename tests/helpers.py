"""What many tests share: admin addresses, the page's fixed section headings."""

import io

from django.core.management import call_command
from django.urls import reverse

from tests.html import form_fields

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


def restore(client, obj, version, **options):
    """Press "Restore this version" on the page comparing `version` with the page now."""
    name = f"admin:procedures_{obj._meta.model_name}"
    compare = client.get(reverse(f"{name}_compare", args=[obj.pk, version.pk]))
    return client.post(reverse(f"{name}_restore", args=[obj.pk, version.pk]), form_fields(compare), **options)


def run(command, *args, **options):
    """A management command's output, as a developer running it would read it."""
    out = io.StringIO()
    call_command(command, *map(str, args), stdout=out, **options)
    return out.getvalue()
