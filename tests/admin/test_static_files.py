"""collectstatic leaves out static files of what the site does not use (procedures/apps.py):
every file an editor's or a patient's page asks for must still be collected."""

from django.apps import apps
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.templatetags.static import static
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


def test_every_static_file_a_page_asks_for_is_collected(superuser_client, shipped_content):
    files = collected()
    assert not any(path.startswith(("rest_framework/", "admin/js/vendor/select2/")) for path in files)
    wanted = set()
    answered = []
    for address in [*admin_pages(), "/", "/procedures/mesotherapy/", "/procedures/mesotherapy/print/", "/glossary/"]:
        response = superuser_client.get(address)
        answered.append(response.status_code)
        if response.status_code == 200:
            wanted |= asked_for(response)
    assert answered.count(200) > len(answered) * 0.8  # nearly every page opened, not redirected away
    assert {"admin/js/core.js", "admin/js/vendor/jquery/jquery.min.js", "markdownx/js/markdownx.min.js", "css/site.css"} <= wanted
    assert wanted - files == set()
