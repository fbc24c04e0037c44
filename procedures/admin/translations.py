"""Translations of procedure pages in the admin: each language's text in its own form (the same
Markdown editor, revisions and protection against silent overwrites as a page), with who
translated it from which version of the page, its medical review and whether it is out of
date; and, on a page's own form, the list of its translations."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy

from procedures.models import Procedure, ProcedureTranslation, TranslationState
from procedures.models.translations import translation_languages
from procedures.publishing import revisions
from procedures.publishing.review import record_translation_review

from .base import ContentAdmin
from .forms import TranslationReviewForm
from .review import review_page

REVIEW_FIELDS = ["reviewer", "last_reviewed"]


class TranslationStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return TranslationState.choices

    def queryset(self, request, queryset):
        if self.value() in TranslationState.values:
            return queryset.in_state(self.value())
        return queryset


@admin.display(description=gettext_lazy("state"))
def state(translated):
    if translated.is_out_of_date:
        return format_html(
            "<strong>{}</strong>",
            gettext("Out of date since %(date)s") % {"date": date_format(translated.out_of_date_since, "j M Y")},
        )
    return translated.state.label


@admin.display(description=gettext_lazy("medical review"), ordering="last_reviewed")
def review(translated):
    if not translated.last_reviewed:
        return gettext("Not reviewed yet")
    return gettext("%(reviewer)s, %(date)s") % {
        "reviewer": translated.reviewer,
        "date": date_format(translated.last_reviewed, "j M Y"),
    }


@admin.register(ProcedureTranslation)
class ProcedureTranslationAdmin(ContentAdmin):
    list_display = ["__str__", "language", state, "translated_by", review]
    list_filter = ["language", TranslationStateFilter]
    list_select_related = ["procedure", "translated_by", "reviewer"]
    search_fields = ["title", "procedure__title"]

    def get_fieldsets(self, request, obj=None):
        return self.with_opened_version(
            [
                (None, {"fields": ["procedure", "language", "title", "summary", "status"]}),
                (
                    gettext("Sections"),
                    {
                        "description": gettext(
                            "The page's sections in this language, in Markdown. “What it is” and “Risks and side "
                            "effects” are needed before the translation can be published."
                        ),
                        "fields": [field for field, _, _ in Procedure.SECTIONS],
                    },
                ),
                (
                    gettext("Who translated it, from what"),
                    {"fields": ["translated_by", "translated_from", "translated_from_date", "translated_at", "up_to_date"]},
                ),
                (
                    gettext("Medical review"),
                    {
                        "description": gettext(
                            "A translation is checked by a medical reviewer on its own. It cannot be published "
                            "until its reviewer and the date they checked it are recorded."
                        ),
                        "fields": [*REVIEW_FIELDS, "review_status"],
                    },
                ),
            ]
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["up_to_date", "review_status"]
        if obj is not None:
            readonly += ["procedure", "language"]  # another page or language is another translation
        if not request.user.has_perm("procedures.record_review"):
            readonly += REVIEW_FIELDS  # recording a review is for medical reviewers
        return readonly

    def get_changeform_initial_data(self, request):
        """From the page's list of translations: "add" comes with the page and the language."""
        initial = super().get_changeform_initial_data(request)
        page = request.GET.get("procedure", "")
        procedure = Procedure.objects.filter(pk=page).first() if page.isdigit() else None
        if procedure is not None:
            initial["procedure"] = procedure.pk
            initial["translated_from"] = procedure.edit_version
        if request.GET.get("language") in dict(translation_languages()):
            initial["language"] = request.GET["language"]
        return initial

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_review"
        review = path("<path:object_id>/review/", self.admin_site.admin_view(self.record_review_view), name=name)
        return [review, *super().get_urls()]

    @admin.display(description=gettext_lazy("medical review"))
    def review_status(self, translated):
        if translated.pk is None:
            return gettext("Save the translation as a draft first; a medical reviewer then records their review.")
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:procedures_proceduretranslation_review", args=[translated.pk]),
            gettext("Record a medical review"),
        )

    def record_review_view(self, request, object_id):
        """A medical reviewer (also one who may not edit) records their review of the translation's words."""
        translated = self.get_object(request, unquote(object_id))
        if translated is None:
            raise Http404("No such translation.")
        if not request.user.has_perm("procedures.record_review"):
            raise PermissionDenied(gettext("Only medical reviewers can record a review."))
        own_profile = getattr(request.user, "author_profile", None)
        initial = {"reviewed_on": timezone.localdate(), "reviewer": own_profile or translated.reviewer}
        form = TranslationReviewForm(request.POST or None, initial=initial, procedure=translated)
        if request.method == "POST" and form.is_valid():
            record_translation_review(
                translated, reviewer=form.cleaned_data["reviewer"], reviewed_on=form.cleaned_data["reviewed_on"], by=request.user
            )
            messages.success(request, gettext("Review of “%(page)s” recorded.") % {"page": translated})
            return redirect("admin:procedures_proceduretranslation_change", translated.pk)
        return review_page(self, request, translated, form)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """An out-of-date translation's form shows, word by word, what changed in the page since
        the version it was translated from (from the page's history)."""
        translated = self.get_object(request, unquote(object_id))
        extra = {}
        if translated is not None and translated.is_out_of_date:
            extra["source_changes"] = revisions.changed_since(translated.procedure, translated.translated_from)
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.display(description=gettext_lazy("up to date"))
    def up_to_date(self, translated):
        if translated.pk is None:
            return gettext("A new translation is up to date with the page as it is when it is saved.")
        if not translated.is_out_of_date:
            return gettext("Yes: translated from version %(version)s of the page.") % {"version": translated.translated_from}
        return gettext(
            "No: the page changed what patients read on %(date)s, after version %(version)s this was translated "
            "from. Bring the text up to date, then set “translated from version” to %(now)s (the page now)."
        ) % {
            "date": date_format(translated.out_of_date_since, "j F Y"),
            "version": translated.translated_from,
            "now": translated.procedure.edit_version,
        }


class TranslationsOfPage:
    """On a procedure's form: its translations, with their state, and the languages it has none in."""

    @admin.display(description=gettext_lazy("translations"))
    def translations(self, procedure):
        if procedure.pk is None:
            return gettext("Save the page first; it can then be translated.")
        translated = {t.language: t for t in procedure.translations.select_related("translated_by", "reviewer")}
        rows = []
        for code, name in translation_languages():
            if code in translated:
                link = reverse("admin:procedures_proceduretranslation_change", args=[translated[code].pk])
                rows.append((name, link, translated[code].title, state(translated[code])))
            else:
                prefilled = urlencode({"procedure": procedure.pk, "language": code})
                link = f"{reverse('admin:procedures_proceduretranslation_add')}?{prefilled}"
                rows.append((name, link, gettext("Add a translation"), gettext("Missing")))
        return format_html(
            '<ul class="translations">{}</ul>',
            format_html_join("", '<li>{}: <a href="{}">{}</a> — {}</li>', rows),
        )
