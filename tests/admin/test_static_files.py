"""collectstatic leaves out static files of what the site does not use (mesocare/apps.py):
every file an editor's or a patient's page asks for must still be collected."""

from django.apps import apps
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from tests.html import page


def collected():
    """What collectstatic copies: each finder's files, less the ignored patterns."""
    ignored = apps.get_app_config("staticfiles").ignore_patterns
    return {path for finder in finders.get_finders() for path, _ in finder.list(ignored)}


def asked_for(response):
    """The static files a page's HTML asks for: scripts, style sheets, icons, pictures."""
    prefix = static("")
    tags = page(response).select("script[src], link[href], img[src]")
    addresses = (tag.get("src") or tag.get("href") for tag in tags)
    return {address.removeprefix(prefix) for address in addresses if address.startswith(prefix)}


def admin_pages():
    """Every model's list, its add form and the change form of its first object."""
    for model in admin.site._registry:
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        if first := model._default_manager.first():
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])


PUBLIC_PAGES = [
    "/",
    "/es/",
    "/ar/procedures/",
    "/procedures/mesotherapy/",
    "/procedures/mesotherapy/print/",
    "/procedures/mesotherapy/embed/",
    "/glossary/",
    "/authors/anand-lakhkar/",
    "/search/?q=hair+loss",
    "/api/",
    "/no-such-page/",  # the "not found" page
]


def test_every_static_file_a_page_asks_for_is_collected(superuser_client, shipped_content):
    files = collected()
    left_out = ("rest_framework/", "admin/js/vendor/select2/", "admin/css/vendor/select2/")
    assert not any(path.startswith(left_out) for path in files)
    answers = [superuser_client.get(address) for address in admin_pages()]
    answers += [Client().get(address) for address in [*PUBLIC_PAGES, reverse("admin:login")]]
    pages = [answer for answer in answers if answer["Content-Type"].startswith("text/html")]
    assert sum(answer.status_code == 200 for answer in pages) > len(answers) * 0.8  # opened, not sent away
    wanted = set().union(*map(asked_for, pages))
    assert {"admin/js/core.js", "admin/js/vendor/jquery/jquery.min.js", "markdownx/js/markdownx.min.js", "css/site.css"} <= wanted
    assert wanted - files == set()
