"""The admin editor's live preview and image upload (the endpoints django-markdownx calls).

markdownx's own views are open to anyone and answer bad input with errors; these
serve editors only and answer every bad request with a clear 4xx message.
"""

from functools import cache, wraps

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from procedures.models import GlossaryTerm, PatientMarkdownField
from procedures.text.images import clean_uploaded_image
from procedures.text.markdown import markdown_problem, render_markdown
from procedures.text.readability import measure

ALT_TEXT_PROMPT = gettext_lazy("Describe this picture for people who cannot see it")
NOT_AN_EDITOR = gettext_lazy("Your session has ended or you are not an editor. Log in to the admin again.")


def is_editor(user):
    """Staff who may add or change something written in Markdown: editors, not reviewer-only accounts."""
    return user.is_active and user.is_staff and any(user.has_perm(permission) for permission in permissions_to_write_markdown())


@cache
def permissions_to_write_markdown():
    """Adding or changing anything with a Markdown field: what the preview and upload serve."""
    return [
        f"procedures.{action}_{model._meta.model_name}"
        for model in apps.get_app_config("procedures").get_models()
        if not model._meta.proxy and any(isinstance(field, PatientMarkdownField) for field in model._meta.fields)
        for action in ("add", "change")
    ]


def editors_only(refuse):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_editor(request.user):
                return refuse(NOT_AN_EDITOR, 403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def preview_message(message, status):
    return HttpResponse(format_html('<p class="errornote">{}</p>', message), status=status)


def upload_error(message, status):
    return JsonResponse({"error": message}, status=status)


@require_POST
@editors_only(preview_message)
def preview(request):
    """The live preview: the HTML a patient will get for this Markdown, then its reading level.

    Glossary terms are linked on their first use in this text; on the page it is their
    first use on the whole page.
    """
    content = request.POST.get("content")
    if content is None:
        return preview_message(gettext("Nothing to preview."), 400)
    if problem := markdown_problem(content):
        return preview_message(problem, 400)
    html = render_markdown(content, GlossaryTerm.glossary())
    return HttpResponse(html + readability_note(measure(html)))


def readability_note(found):
    """For editors only, below the preview: how hard this text is to read, against the target."""
    if not found.words:
        return ""
    target = f"{settings.READING_GRADE_TARGET:g}"
    note = ngettext(
        "Reading level: grade %(level)s (Flesch–Kincaid %(grade)s, SMOG %(smog)s) · target %(target)s or below · %(words)s word.",
        "Reading level: grade %(level)s (Flesch–Kincaid %(grade)s, SMOG %(smog)s) · target %(target)s or below · "
        "%(words)s words.",
        found.words,
    ) % {"level": found.level, "grade": found.grade, "smog": found.smog, "target": target, "words": found.words}
    return format_html(
        '<p class="editor-readability{}">{}{}</p>',
        " editor-readability--above" if found.above_target else "",
        note,
        " " + gettext("Above target: shorter sentences and everyday words will help.") if found.above_target else "",
    )


@require_POST
@editors_only(upload_error)
def upload_image(request):
    """Drag-and-drop upload: store a checked, re-encoded copy and answer with its Markdown."""
    upload = request.FILES.get("image")
    if upload is None:
        return upload_error(gettext("No picture arrived. Drop an image file onto the text box."), 400)
    try:
        picture = clean_uploaded_image(upload)
    except ValidationError as error:
        return upload_error(error.messages[0], 400)
    name = default_storage.save(f"images/{picture.name}", picture)
    return JsonResponse({"image_code": f"![{ALT_TEXT_PROMPT}]({default_storage.url(name)})"})
