from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from .images import RasterImageField
from .models import Author, Disclaimer, Procedure, RelatedLink, Specialty, content_changed


class MarkdownEditor(AdminMarkdownxWidget):
    """markdownx's editor with a labelled preview, an upload button and clear error messages."""

    template_name = "procedures/widgets/markdown_editor.html"

    class Media:
        css = {"all": ["admin-editor/editor.css"]}
        js = ["admin-editor/editor.js"]


class ContentAdmin(admin.ModelAdmin):
    """What every admin for editors' content shares."""

    formfield_overrides = {
        MarkdownxField: {"widget": MarkdownEditor},
        models.ImageField: {"form_class": RasterImageField},
    }

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_changed()  # related rows and tags are saved after the object itself


@admin.register(Specialty)
class SpecialtyAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(ContentAdmin):
    list_display = ["name", "credentials", "role"]
    search_fields = ["name", "credentials", "role"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "credentials", "role"]}),
        ("Photo", {"fields": ["photo", "photo_alt"]}),
        ("Biography", {"fields": ["bio"]}),
    ]


@admin.register(Disclaimer)
class DisclaimerAdmin(ContentAdmin):
    list_display = ["title", "is_default"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "is_default", "body"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False  # the site always has a default disclaimer
        return super().has_delete_permission(request, obj)


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    extra = 1
    fields = ["title", "url", "position"]
    verbose_name_plural = "related reading (links at the end of the page)"


@admin.register(Procedure)
class ProcedureAdmin(ContentAdmin):
    list_display = ["title", "status", "author", "specialty_names", "last_updated"]
    list_filter = ["status", "specialties", "author"]
    list_select_related = ["author"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["first_published", "last_updated"]
    inlines = [RelatedLinkInline]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status"]}),
        (
            "Sections",
            {
                "description": 'Write each section in Markdown. "What it is" and "Risks and side effects" '
                "are needed before the page can be published. Start sub-headings with #.",
                "fields": [field for field, _, _ in Procedure.SECTIONS],
            },
        ),
        ("Who wrote it and where it belongs", {"fields": ["author", "specialties", "disclaimer"]}),
        ("Picture", {"classes": ["collapse"], "fields": ["hero_image", "hero_alt"]}),
        ("Dates", {"fields": ["first_published", "last_updated"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        widgets = {"specialties": forms.CheckboxSelectMultiple, "summary": forms.Textarea(attrs={"rows": 2})}
        return super().get_form(request, obj, widgets=widgets, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("specialties")

    @admin.display(description="specialties")
    def specialty_names(self, procedure):
        return ", ".join(specialty.name for specialty in procedure.specialties.all())

    def save_model(self, request, obj, form, change):
        if change and set(form.changed_data) - {"status"}:
            obj.last_updated = timezone.localdate()
        super().save_model(request, obj, form, change)
