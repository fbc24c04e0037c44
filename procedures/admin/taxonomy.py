"""How pages are classified and found: specialties, conditions (with their codes), body areas,
the glossary of words explained, and the synonyms search understands."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from procedures.models import BodyArea, Condition, ConditionCode, GlossaryTerm, Specialty, Synonym
from procedures.publishing.content import glossary_changed

from .background import TellsOfBackgroundUpdates, tell_editor
from .base import ContentAdmin
from .text_translations import ListsTranslations


@admin.register(Specialty)
class SpecialtyAdmin(ListsTranslations, TellsOfBackgroundUpdates, ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ConditionCodeInline(admin.StackedInline):
    model = ConditionCode
    extra = 1
    verbose_name_plural = gettext_lazy("codes (e.g. ICD-10-CM L64.9), for clinics' record systems")


@admin.register(Condition)
class ConditionAdmin(ListsTranslations, TellsOfBackgroundUpdates, ContentAdmin):
    list_display = ["name", "code_list"]
    search_fields = ["name", "codes__code"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "also_known_as", "description", "translations"]
    inlines = [ConditionCodeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("codes")

    @admin.display(description=gettext_lazy("codes"))
    def code_list(self, condition):
        return ", ".join(str(code) for code in condition.codes.all())


@admin.register(BodyArea)
class BodyAreaAdmin(ListsTranslations, TellsOfBackgroundUpdates, ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Synonym)
class SynonymAdmin(ContentAdmin):
    list_display = ["words"]
    search_fields = ["words"]
    prepopulated_fields = {"slug": ["words"]}
    fields = ["words", "slug"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ListsTranslations, ContentAdmin):
    list_display = ["term", "definition"]
    search_fields = ["term", "definition"]
    prepopulated_fields = {"slug": ["term"]}
    fields = ["term", "slug", "also_matches", "definition", "translations"]

    # Every page links its glossary terms, so a change here renders every page again (in the
    # background: the editor is told, and can follow it under Background updates).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        tell_editor(request, glossary_changed(f"Glossary term “{obj}” {'changed' if change else 'added'}", by=request.user))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        tell_editor(request, glossary_changed(f"Glossary term “{obj}” deleted", by=request.user))

    def delete_queryset(self, request, queryset):
        terms = ", ".join(f"“{term}”" for term in queryset)
        super().delete_queryset(request, queryset)
        tell_editor(request, glossary_changed(f"Glossary terms {terms} deleted", by=request.user))
