"""What a procedure page shows a patient: shared by the public page and the editors' preview,
so that a preview is exactly the page patients will get.

The page's <article> is rendered when the page, or anything it names, is saved
(`store_rendering`, called by procedures.publishing.pages) and kept in RenderedPage. Only
what cannot be known then is worked out at each visit, filled into holes the stored
rendering leaves: the review-due notice (it depends on the day), related treatments (they
depend on other pages) and the link kit (it carries the site's own address).

A page with published translations (ProcedureTranslation) is rendered in each of their
languages too, at the same time, and shown in the visitor's language when it has one.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from procedures.models import ProcedureTranslation, RenderedPage, TranslatedPage
from procedures.text.languages import language
from procedures.text.readability import reading_time

from . import release, structured_data

HOLES = ("review_notice", "related_treatments", "link_kit")


def hole(name):
    return f"<!--mesocare:{name}-->"  # editors' text can hold no comments: the sanitiser strips them


def rendering(procedure):
    """The parts of the page that depend on nothing but what is stored."""
    holes = {name: mark_safe(hole(name)) for name in HOLES}  # noqa: S308 (fixed markers)
    return {
        "release": release.fingerprint(),
        "article": render_to_string("procedures/_article.html", {"procedure": procedure, "holes": holes}),
        "structured_data": structured_data.procedure_page(procedure),
    }


def translated_rendering(procedure, translated):
    """The page in a translation's language: the translation's words in the page's templates
    (with the time it takes to read them, not the English page's), under a calm notice while
    the translation has not caught up with the English page."""
    page = TranslatedPage(procedure, translated)
    if procedure.reading_minutes:
        page.reading_minutes = reading_time("".join(getattr(translated, html) for _, html in translated.markdown_fields))
    with translation.override(translated.language):
        parts = rendering(page)
        if translated.is_out_of_date:
            parts["article"] = behind_notice(procedure) + parts["article"]
    return {**parts, "title": translated.title, "summary": translated.summary}


def behind_notice(procedure):
    with translation.override(settings.LANGUAGE_CODE):
        original_url = procedure.get_absolute_url()
    return render_to_string(
        "procedures/_translation_behind.html",
        {"procedure": procedure, "original_url": original_url, "original": language(settings.LANGUAGE_CODE)},
    )


def full_rendering(procedure):
    """The page in the default language, and in each language it has a published translation in."""
    with translation.override(settings.LANGUAGE_CODE):
        parts = rendering(procedure)
    published = procedure.translations.published() if procedure.pk else []
    parts["translations"] = {translated.language: translated_rendering(procedure, translated) for translated in published}
    return parts


def store_rendering(procedure):
    RenderedPage.objects.update_or_create(procedure=procedure, defaults={"parts": full_rendering(procedure)})


def text_language(procedure):
    """The language the page's text is shown in: the visitor's, when the page has a published
    translation in it (each medically reviewed on its own), otherwise the language it is
    written and medically reviewed in, the site's default."""
    current = translation.get_language()
    if current != settings.LANGUAGE_CODE and current in translated_languages(procedure):
        return current
    return settings.LANGUAGE_CODE


def translated_languages(procedure):
    """The languages the page has a published translation in (read from its stored rendering)."""
    parts = current_parts(procedure)
    if parts is not None:
        return list(parts.get("translations", {}))
    return list(procedure.translations.published().values_list("language", flat=True)) if procedure.pk else []


def as_shown(procedure):
    """The page in the language its text is shown in (its handout and embed card)."""
    shown_in = text_language(procedure)
    if shown_in == settings.LANGUAGE_CODE:
        return procedure
    return TranslatedPage(procedure, procedure.translations.published().get(language=shown_in))


def current_parts(procedure):
    stored = getattr(procedure, "rendered", None) if procedure.pk else None
    if stored is not None and stored.parts.get("release") == release.fingerprint():
        return stored.parts
    return None


def stored_parts(procedure):
    """The stored rendering, or one made now if there is none for this release of the code."""
    return current_parts(procedure) or full_rendering(procedure)


def page_context(request, procedure, *, preview=False, translated=None):
    """The page's context. In a language the page has a published translation in, the page is
    shown in it. In a language the page has no text in, the page's own part (the article) is
    shown whole in the language it is written in, marked as such, at its own address (the
    canonical one), under the site's words in the visitor's language.

    A preview is the page as an editor's unsaved form makes it: the page, or, given `translated`
    (a translation, saved or not), the page in that translation's language."""
    if preview and translated is not None:
        shown_in, text_languages = translated.language, [translated.language]
        parts, page = translated_rendering(procedure, translated), TranslatedPage(procedure, translated)
    elif preview:
        with translation.override(settings.LANGUAGE_CODE):
            parts, shown_in, text_languages, page = rendering(procedure), settings.LANGUAGE_CODE, [], procedure
    else:
        stored = stored_parts(procedure)
        text_languages = list(stored.get("translations", {}))
        current = translation.get_language()
        shown_in = current if current in text_languages else settings.LANGUAGE_CODE
        parts, page = stored, procedure
        if shown_in != settings.LANGUAGE_CODE:
            parts = stored["translations"][shown_in]
            words = ProcedureTranslation(procedure=procedure, language=shown_in, title=parts["title"], summary=parts["summary"])
            page = TranslatedPage(procedure, words)
    breadcrumbs = [(translation.gettext("Treatments A–Z"), reverse("procedures:index")), (page.title, None)]
    with translation.override(shown_in):
        return {
            **article_context(request, page, parts, preview),
            "breadcrumbs": breadcrumbs,
            "text_languages": [settings.LANGUAGE_CODE, *text_languages],
        }


def article_context(request, procedure, parts, preview):
    page_url = request.build_absolute_uri(procedure.get_absolute_url())
    embed_url = request.build_absolute_uri(reverse("procedures:embed", args=[procedure.slug]))
    visit = {"procedure": procedure, "page_url": page_url, "embed_url": embed_url}
    filled = {
        "review_notice": render_to_string("procedures/_review_notice.html", visit) if procedure.is_due_for_review else "",
        "related_treatments": render_to_string("procedures/_related_treatments.html", visit),
        "link_kit": render_to_string("procedures/_link_kit.html", visit),
    }
    article = parts["article"]
    for name, html in filled.items():
        article = article.replace(hole(name), html)
    return {
        **visit,
        "preview": preview,
        "article": mark_safe(article),  # noqa: S308 (rendered by our templates from sanitised text)
        "article_language": language(translation.get_language()),
        "structured_data": structured_data.absolutize(parts["structured_data"], request.build_absolute_uri),
        "oembed_url": request.build_absolute_uri(
            f"{reverse('procedures:oembed')}?{urlencode({'url': page_url, 'format': 'json'})}"
        ),
    }
