"""Translations of the site's other texts in the admin (disclaimers, site pages, glossary terms,
authors' roles and biographies, names of specialties, conditions and body areas): each in its
own form, with the same editor, revisions and protection against silent overwrites as the
text itself, who translated it from which version, its review and whether it is out of date;
and, on the text's own form, the list of its translations."""

from django.contrib import admin
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy

from procedures.models import TEXT_TRANSLATIONS
from procedures.models.translations import translation_languages
from procedures.publishing import revisions

from .base import ContentAdmin
from .translations import REVIEW_FIELDS, TranslationStateFilter, review, state


class TextTranslationAdmin(ContentAdmin):
    list_display = ["__str__", "language", state, "translated_by", review]
    list_filter = ["language", TranslationStateFilter]
    list_select_related = ["source", "translated_by", "reviewer"]

    def get_search_fields(self, request):
        return [self.model.translated_fields[0], f"source__{self.model.translated_fields[0]}"]

    def get_fieldsets(self, request, obj=None):
        return self.with_opened_version(
            [
                (None, {"fields": ["source", "language", *self.model.translated_fields, "status"]}),
                (
                    gettext("Who translated it, from what"),
                    {"fields": ["translated_by", "translated_from_date", "translated_at", "up_to_date"]},
                ),
                (
                    gettext("Medical review"),
                    {
                        "description": gettext(
                            "A translation is checked by a medical reviewer on its own. It cannot be published "
                            "until its reviewer and the date they checked it are recorded."
                        ),
                        "fields": REVIEW_FIELDS,
                    },
                ),
            ]
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["up_to_date"]
        if obj is not None:
            readonly += ["source", "language"]  # another text or language is another translation
        if not request.user.has_perm("procedures.record_review"):
            readonly += REVIEW_FIELDS  # recording a review is for medical reviewers
        return readonly

    def get_changeform_initial_data(self, request):
        """From a text's list of translations: "add" comes with the text and the language."""
        initial = super().get_changeform_initial_data(request)
        source = request.GET.get("source", "")
        if source.isascii() and source.isdigit():
            initial["source"] = source
        if request.GET.get("language") in dict(translation_languages()):
            initial["language"] = request.GET["language"]
        return initial

    def recover_view(self, request, version_id, extra_context=None):
        request.recovering_translation = True  # for save_model: the deleted translation comes back
        return super().recover_view(request, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if getattr(request, "recovering_translation", False):
            revisions.keep_text_out_of_date(obj, None)
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("up to date"))
    def up_to_date(self, translated):
        if translated.pk is None or not translated.is_out_of_date:
            return gettext("Yes: it translates the English text as it is now.")
        return gettext(
            "No: the English text changed on %(date)s, so patients are shown the English until this catches up. "
            "Bring the translation up to date, then empty “translated from the text of” and save."
        ) % {"date": date_format(translated.out_of_date_since, "j F Y")}


for model in TEXT_TRANSLATIONS:
    admin.site.register(model, TextTranslationAdmin)


class ListsTranslations:
    """On a text's own form: its translations, with their state, and the languages it has none in."""

    readonly_fields = ["translations"]

    @admin.display(description=gettext_lazy("translations"))
    def translations(self, text):
        if text.pk is None:
            return gettext("Save this first; it can then be translated.")
        opts = text.translations.model._meta
        translated = {t.language: t for t in text.translations.all()}
        rows = []
        for code, name in translation_languages():
            if code in translated:
                link = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[translated[code].pk])
                words = getattr(translated[code], opts.model.translated_fields[0])
                rows.append((name, link, words, state(translated[code])))
            else:
                prefilled = urlencode({"source": text.pk, "language": code})
                link = f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_add')}?{prefilled}"
                rows.append((name, link, gettext("Add a translation"), gettext("Missing")))
        return format_html(
            '<ul class="translations">{}</ul>',
            format_html_join("", '<li>{}: <a href="{}">{}</a> — {}</li>', rows),
        )
