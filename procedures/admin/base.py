"""What every admin for editors' content shares: the Markdown editor, checked images, a
revision on every save (django-reversion) with compare and restore, no silent overwrites
between two editors, and every save and delete going through procedures.publishing."""

import reversion
from django import forms
from django.contrib.admin.utils import unquote
from django.db import models
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from reversion.models import Version

from procedures.models import EditableContent, EditConflict
from procedures.publishing.content import content_rows_saved, delete_content, save_content
from procedures.text.images import RasterImageField

from .forms import ContentForm, OneEditorAtATimeForm
from .history import HistoryViews


class MarkdownEditor(AdminMarkdownxWidget):
    """markdownx's editor with a labelled preview, an upload button and clear error messages."""

    template_name = "procedures/widgets/markdown_editor.html"

    class Media:
        css = {"all": ["admin-editor/editor.css"]}
        js = ["admin-editor/editor.js"]


class DateTimeBox(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ContentAdmin(HistoryViews):
    formfield_overrides = {
        MarkdownxField: {"widget": MarkdownEditor},
        models.ImageField: {"form_class": RasterImageField},
        # One labelled date-and-time box (the browser's own picker), not the admin's two unlabelled ones.
        models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeBox},
    }
    change_form_template = "admin/procedures/change_form.html"

    def get_form(self, request, obj=None, **kwargs):
        if issubclass(self.model, EditableContent) and not issubclass(self.form, OneEditorAtATimeForm):
            kwargs.setdefault("form", OneEditorAtATimeForm)
        elif self.form is forms.ModelForm:  # ModelAdmin's own default
            kwargs.setdefault("form", ContentForm)
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.with_opened_version(super().get_fieldsets(request, obj))

    def with_opened_version(self, fieldsets):
        """The form's hidden note of which version the editor opened, in the first fieldset."""
        if issubclass(self.model, EditableContent):
            (name, options), *rest = fieldsets
            if "opened_version" not in options["fields"]:
                fieldsets = [(name, {**options, "fields": [*options["fields"], "opened_version"]}), *rest]
        return fieldsets

    def get_changeform_initial_data(self, request):
        # Initial values from the address (?title=…) for text only: a date or a choice typed
        # into an address would not fit its field.
        initial = super().get_changeform_initial_data(request)
        text = (models.CharField, models.TextField)
        allowed = {f.name for f in self.model._meta.fields if isinstance(f, text) and not f.choices}
        return {name: value for name, value in initial.items() if name in allowed}

    def save_model(self, request, obj, form, change):
        started_from = form.cleaned_data.get("opened_version") if change else None
        save_content(obj, started_from=started_from)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_rows_saved(form.instance)  # related rows and tags are saved after the object itself

    def delete_model(self, request, obj):
        delete_content(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_content(obj)  # one by one, so each page's addresses answer 410 Gone

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            self.keep_first_version(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def keep_first_version(self, request, object_id):
        """Pages made outside the admin have no history yet: before their first edit here, keep
        them as they are, so that edits can always be compared and undone. (Only on saving:
        opening a form writes nothing.)"""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not (self.has_change_permission(request, obj) or self.has_delete_permission(request, obj)):
            return
        if not Version.objects.get_for_object(obj).exists():
            with reversion.create_revision():
                reversion.add_to_revision(obj)
                reversion.set_comment("The page as it was before its first edit in the admin")

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            self.keep_first_version(request, object_id)  # so that a deleted page can be recovered
        with reversion.create_revision():  # so the audit log knows who deleted it
            reversion.set_user(request.user)
            return super().delete_view(request, object_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Another save landed between this form's check and its save (nothing was saved);
            # checked again, the form now shows the editor what changed.
            return super().changeform_view(request, object_id, form_url, extra_context)
