"""Translations of procedure pages in the admin: each language's text in its own form (the same
Markdown editor with its live preview, the page's preview, revisions, audit log and protection
against silent overwrites as a page), with who translated it from which version of the page,
its medical review, whether it is out of date and how easy it is to read in its language; and,
on a page's own form, the list of its translations."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextInputWidget
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, gettext, gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from procedures.models import AuditEntry, Procedure, ProcedureTranslation, TranslationState
from procedures.models.translations import translation_languages
from procedures.publishing import audit, revisions
from procedures.publishing.review import record_translation_review
from procedures.text.languages import direction, language_tag
from procedures.text.markdown import markdown_problem, render_markdown
from procedures.text.readability import measure_in

from .base import ContentAdmin, MarkdownEditor
from .editor import editors_only, preview_message
from .forms import TranslationReviewForm
from .preview import PreviewViews, render_unsaved_translation
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


def in_language(language):
    """A text box's attributes for text in `language`: its language and its direction."""
    return {"lang": language_tag(language), "dir": direction(language)} if language else {}


class TranslationEditor(MarkdownEditor):
    """The page's Markdown editor, for text in a translation's language: written and previewed
    in its direction, its reading ease measured in that language (live_preview below)."""

    def __init__(self, language=None, attrs=None):
        super().__init__({**in_language(language), **(attrs or {})})
        self.language = language

    def add_markdownx_attrs(self, attrs):
        attrs = super().add_markdownx_attrs(attrs)
        args = [self.language] if self.language else []
        attrs["data-markdownx-urls-path"] = reverse("admin:procedures_proceduretranslation_live_preview", args=args)
        return attrs


@never_cache
@require_POST
@editors_only(preview_message)
def live_preview(request, language=""):
    """The live preview of a translation's text box: the HTML patients will get (the same renderer
    and sanitiser as the page's own, no glossary: it explains English words), in the text's
    language and direction, then how easy it is to read in that language."""
    if language and language not in dict(translation_languages()):
        return preview_message(gettext("Nothing to preview."), 404)
    content = request.POST.get("content")
    if content is None:
        return preview_message(gettext("Nothing to preview."), 400)
    if problem := markdown_problem(content):
        return preview_message(problem, 400)
    html = render_markdown(content)
    if not language:
        return HttpResponse(html)
    shown = format_html(
        '<div lang="{}" dir="{}">{}</div>',
        language_tag(language),
        direction(language),
        mark_safe(html),  # noqa: S308 (out of the sanitiser)
    )
    found = measure_in(html, language)
    above = " editor-readability--above" if found.above_target else ""
    return HttpResponse(shown + format_html('<p class="editor-readability{}">{}</p>', above, reading_ease(found)))


def reading_ease(found):
    """For editors: how easy a translation's text is to read, measured in its language, or, where
    no measure exists for the language, that there is none (never an English score)."""
    words = ngettext("%(words)s word", "%(words)s words", found.words) % {"words": found.words}
    if not found.has_measure:
        name = get_language_info(found.language)["name_translated"]
        return gettext(
            "No reading-ease measure exists for %(language)s in the tool this site uses, so none is shown (an "
            "English one would be wrong for it). Read it aloud, or ask a reader of %(language)s whether it is plain. "
            "%(words)s."
        ) % {"language": name, "words": words}
    if not found.words:
        return gettext("Measured when there is text.")
    scores = " · ".join(
        gettext("%(measure)s %(score)s (target %(target)s or above)")
        % {"measure": ease.name, "score": f"{ease.score:g}", "target": f"{ease.target:g}"}
        for ease in found.scores
    )
    advice = gettext("Harder than the target: shorter sentences and everyday words will help.")
    return gettext("Reading ease: %(scores)s · %(words)s.") % {"scores": scores, "words": words} + (
        f" {advice}" if found.above_target else ""
    )


@admin.register(ProcedureTranslation)
class ProcedureTranslationAdmin(PreviewViews, ContentAdmin):
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
                (gettext("Readability"), {"fields": ["readability"]}),
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
        readonly = ["up_to_date", "review_status", "readability"]
        if obj is not None:
            readonly += ["procedure", "language"]  # another page or language is another translation
        if not request.user.has_perm("procedures.record_review"):
            readonly += REVIEW_FIELDS  # recording a review is for medical reviewers
        return readonly

    def get_changeform_initial_data(self, request):
        """From the page's list of translations: "add" comes with the page and the language."""
        initial = super().get_changeform_initial_data(request)
        page = request.GET.get("procedure", "")
        procedure = Procedure.objects.filter(pk=page).first() if page.isascii() and page.isdigit() else None
        if procedure is not None:
            initial["procedure"] = procedure.pk
            initial["translated_from"] = procedure.edit_version
        if request.GET.get("language") in dict(translation_languages()):
            initial["language"] = request.GET["language"]
        return initial

    def get_form(self, request, obj=None, **kwargs):
        """Text boxes for the translation's language: from the translation, or on a new one's form,
        the language chosen (sent, or given in the address)."""
        language = obj.language if obj else request.POST.get("language") or request.GET.get("language")
        language = language if language in dict(translation_languages()) else None
        widgets = {field: TranslationEditor(language) for field, _, _ in Procedure.SECTIONS}
        widgets.update({field: AdminTextInputWidget(in_language(language)) for field in ("title", "summary")})
        return super().get_form(request, obj, **{"widgets": widgets, **kwargs})

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        review = path("<path:object_id>/review/", self.admin_site.admin_view(self.record_review_view), name=f"{info}_review")
        previews = [
            path("live-preview/", live_preview, name=f"{info}_live_preview"),
            path("live-preview/<str:language>/", live_preview, name=f"{info}_live_preview"),
        ]
        return [review, *previews, *self.preview_urls(), *super().get_urls()]

    def render_preview(self, request, obj, pictures):
        return render_unsaved_translation(self, request, obj)

    def recover_view(self, request, version_id, extra_context=None):
        request.recovering_translation = True  # for save_model: the deleted translation comes back
        return super().recover_view(request, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        recovered = getattr(request, "recovering_translation", False)
        if recovered:
            revisions.keep_out_of_date(obj, None)
        status_before = audit.translation_status(obj)
        super().save_model(request, obj, form, change)
        if recovered:
            audit.record(AuditEntry.Action.RECOVERED, obj.procedure, audit.translation_detail(obj), user=request.user)
        else:
            audit.record_translation_publishing(obj, status_before, user=request.user)
        found = measure_in(translated_html(obj), obj.language)
        if found.above_target:
            messages.warning(
                request,
                gettext("“%(page)s” is harder to read than the target. The translation was saved.") % {"page": obj}
                + f" {reading_ease(found)}",
            )

    def delete_model(self, request, obj):
        audit.record(AuditEntry.Action.DELETED, obj.procedure, audit.translation_detail(obj), user=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.display(description=gettext_lazy("reading ease"))
    def readability(self, translated):
        if translated.pk is None:
            return gettext("Measured in the translation's language when it is saved, and under each text box as you type.")
        return reading_ease(measure_in(translated_html(translated), translated.language))

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


def translated_html(translated):
    """A translation's text as patients get it, all its sections."""
    return "".join(getattr(translated, html) for _, html in translated.markdown_fields)


class TranslationsOfPage:
    """On a procedure's form: its translations, with their state, and the languages it has none in;
    in the list of pages, each language's state in a word."""

    @admin.display(description=gettext_lazy("translations"))
    def translation_states(self, procedure):
        translated = {t.language: t for t in procedure.translations.all()}  # prefetched by the list
        states = [
            (name, state(translated[code]) if code in translated else gettext("Missing"))
            for code, name in translation_languages()
        ]
        return format_html_join(mark_safe("<br>"), "{}: {}", states)  # noqa: S308 (a fixed tag)

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
