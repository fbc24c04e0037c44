"""Staff preview: a page with unsaved changes, exactly as patients will see it, saving nothing.

The admin form (with its references, links and other rows) is saved inside a transaction
that is always rolled back, after the page has been rendered with the site's own template.
A translation's form is previewed without saving anything at all: its text is rendered in
memory and shown in the page, in the translation's language (and direction).
The rendered page is kept for a few minutes for the editor who asked, and shown at phone
and desktop widths. A picture uploaded on the form is kept with it, in the cache, and shown
from there: a preview writes no file into the media folder.
"""

import mimetypes
import secrets

from csp.constants import SELF
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.forms.formsets import all_valid
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext

from procedures.models import Procedure
from procedures.publishing.content import save_content
from procedures.publishing.freshness import not_for_patients
from procedures.publishing.patient_page import page_context
from procedures.publishing.rendering import render

KEEP_SECONDS = 15 * 60


class PreviewPictures(Storage):
    """Where a preview's uploaded pictures go: into memory, kept with the preview, never into
    MEDIA_ROOT (the preview's transaction is rolled back; a file written would stay behind)."""

    def __init__(self, token, url_name="admin:procedures_procedure_preview_picture"):
        self.token = token
        self.url_name = url_name
        self.files = {}

    def _save(self, name, content):
        self.files[name] = b"".join(content.chunks())
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.files[name], name=name)

    def exists(self, name):
        return name in self.files

    def url(self, name):
        return reverse(self.url_name, args=[self.token, name])

    def keep_uploads_of(self, obj):
        """Take the pictures uploaded on the form before saving `obj` would write them to the media folder."""
        for field in picture_fields(obj):
            picture = getattr(obj, field.attname)
            if picture and not picture._committed:
                picture.name = self.save(field.generate_filename(obj, picture.name), picture.file)
                picture._committed = True  # Django's save leaves it alone; its size was read on upload

    def show_in(self, obj):
        for field in picture_fields(obj):
            picture = getattr(obj, field.attname)
            if picture and self.exists(picture.name):
                picture.storage = self


def picture_fields(obj):
    return [field for field in obj._meta.concrete_fields if isinstance(field, models.FileField)]


def render_unsaved(model_admin, request, obj, pictures):
    """(html, []) for the page as the submitted form would make it, or (None, problems)."""
    change = obj is not None
    form = model_admin.get_form(request, obj, change=change)(request.POST, request.FILES, instance=obj)
    form_valid = form.is_valid()
    unsaved = model_admin.save_form(request, form, change=change) if form_valid else form.instance
    formsets, _ = model_admin._create_formsets(request, unsaved, change=change)
    if not (all_valid(formsets) and form_valid):
        return None, problems(form, formsets)
    pictures.keep_uploads_of(unsaved)
    with transaction.atomic(), not_for_patients():
        save_content(unsaved)
        form.save_m2m()
        for formset in formsets:
            formset.save()
        procedure = Procedure.objects.for_page().get(pk=unsaved.pk)
        pictures.show_in(procedure)
        html = render_to_string("procedures/procedure_detail.html", page_context(request, procedure, preview=True), request)
        transaction.set_rollback(True)
    return html, []


def render_unsaved_translation(model_admin, request, obj):
    """(html, []) for the page in a translation's language as the submitted translation form would
    make it, or (None, problems). Nothing is saved, not even inside a transaction: the form's text
    is rendered in memory, in the page as it is saved."""
    change = obj is not None
    form = model_admin.get_form(request, obj, change=change)(request.POST, instance=obj)
    if not form.is_valid():
        return None, problems(form, [])
    translated = model_admin.save_form(request, form, change=change)  # not saved: commit=False
    render(translated)
    procedure = Procedure.objects.for_page().get(pk=translated.procedure_id)
    with translation.override(translated.language):  # the whole page, <html lang dir> too
        context = page_context(request, procedure, preview=True, translated=translated)
        return render_to_string("procedures/procedure_detail.html", context, request), []


def problems(form, formsets):
    found = [
        f"{form.fields[name].label if name in form.fields else gettext('Page')}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    ]
    for formset in formsets:
        found += [f"{formset.model._meta.verbose_name_plural.capitalize()}: {error}" for error in formset.non_form_errors()]
        for row in formset.errors:
            found += [f"{formset.model._meta.verbose_name.capitalize()}, {name}: {' '.join(e)}" for name, e in row.items()]
    return found


def keep(html, pictures, user):
    cache.set(f"preview:{pictures.token}", (user.pk, html, pictures.files), KEEP_SECONDS)
    return pictures.token


def kept(token, user):
    """(html, pictures) of a preview this user asked for."""
    found = cache.get(f"preview:{token}")
    if found is None or found[0] != user.pk:
        raise Http404(gettext("This preview has expired. Press “Preview” on the page's form again."))
    return found[1], found[2]


def kept_picture(token, name, user):
    pictures = kept(token, user)[1]
    if name not in pictures:
        raise Http404("No such picture in this preview.")
    response = HttpResponse(pictures[name], content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response


def kept_page(token, user):
    response = HttpResponse(kept(token, user)[0])
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"  # shown in frames on the preview page, nowhere else
    response._csp_replace = {"frame-ancestors": [SELF]}
    response["X-Robots-Tag"] = "noindex"
    return response


class PreviewViews:
    """For the procedure and translation admins: "Preview as patients will see it", with the
    form's unsaved changes."""

    def preview_name(self, view):
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def preview_urls(self):
        name, view = self.preview_name, self.admin_site.admin_view
        return [
            path("add/preview/", view(self.preview_view), name=name("preview_new")),
            path("<path:object_id>/preview/", view(self.preview_view), name=name("preview")),
            path("preview/<str:token>/", view(self.preview_page_view), name=name("preview_page")),
            path("preview/<str:token>/pictures/<path:name>", view(self.preview_picture_view), name=name("preview_picture")),
        ]

    def render_preview(self, request, obj, pictures):
        return render_unsaved(self, request, obj, pictures)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        name = f"admin:{self.preview_name('preview')}"
        context["preview_url"] = reverse(name, args=[obj.pk]) if obj else reverse(f"{name}_new")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_view(self, request, object_id=None):
        """Build the page from the submitted form inside a transaction that is always rolled
        back, render it as patients would get it, and show it at phone and desktop widths."""
        form_name = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        if request.method != "POST":
            return redirect(f"{form_name}_change", object_id) if object_id else redirect(f"{form_name}_add")
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            raise Http404("No such page.")
        if not (self.has_change_permission(request, obj) if obj else self.has_add_permission(request)):
            raise PermissionDenied
        pictures = PreviewPictures(secrets.token_urlsafe(18), f"admin:{self.preview_name('preview_picture')}")
        page, problems = self.render_preview(request, obj, pictures)
        token = keep(page, pictures, request.user) if page else None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Preview: %(page)s") % {"page": obj or gettext("new page")},
            "opts": self.opts,
            "original": obj,
            "problems": problems,
            "page_url": reverse(f"admin:{self.preview_name('preview_page')}", args=[token]) if token else None,
        }
        return TemplateResponse(request, "admin/procedures/procedure/preview.html", context, status=400 if problems else 200)

    def preview_page_view(self, request, token):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return kept_page(token, request.user)

    def preview_picture_view(self, request, token, name):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return kept_picture(token, name, request.user)
