"""Procedure pages in the admin: the form with its sections and rows, the list with publishing
and review state, preview and medical review (preview.py, review.py)."""

from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy

from procedures.models import ChangeNote, Procedure, ProcedureCode, Reference, RelatedLink
from procedures.publishing.content import save_content

from .base import ContentAdmin
from .forms import CitationsCheck, ProcedureForm
from .preview import PreviewViews
from .review import ReviewStateFilter, ReviewViews, review_due
from .translations import TranslationsOfPage

READING_ADVICE = gettext_lazy("Shorter sentences and everyday words make it easier to read.")


class RelatedLinkInline(admin.StackedInline):
    model = RelatedLink
    extra = 1
    fields = ["title", "url", "position"]
    verbose_name_plural = gettext_lazy("related reading (links at the end of the page)")


class ReferenceInline(admin.StackedInline):
    model = Reference
    formset = CitationsCheck
    extra = 1
    fields = [("title", "position"), ("publisher", "year"), ("url", "doi")]
    verbose_name_plural = gettext_lazy("references (cite reference 1 in the text as [^1], reference 2 as [^2], …)")


class ProcedureCodeInline(admin.StackedInline):
    model = ProcedureCode
    extra = 0
    verbose_name_plural = gettext_lazy("codes for the procedure itself (optional; conditions carry their own)")


class ChangeNoteInline(admin.StackedInline):
    model = ChangeNote
    extra = 0
    fields = ["date", "note"]
    verbose_name_plural = gettext_lazy("page history (what changed, shown on the page)")


class PublishingFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "publishing"

    def lookups(self, request, model_admin):
        return [
            ("live", gettext("Live")),
            ("scheduled", gettext("Scheduled")),
            ("draft", gettext("Draft")),
            ("withdrawn", gettext("Withdrawn at a set time")),
        ]

    def queryset(self, request, queryset):
        published = Procedure.Status.PUBLISHED
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "draft":
            return queryset.filter(status=Procedure.Status.DRAFT)
        if self.value() == "withdrawn":
            return queryset.filter(status=published, unpublish_at__lte=timezone.now())
        return queryset


@admin.display(description=gettext_lazy("reading grade"), ordering="reading_grade")
def reading_level(procedure):
    level = procedure.readability.level
    if procedure.readability.above_target:
        return format_html(
            '<strong class="readability-warning">{}</strong>', gettext("%(level)s — above target") % {"level": level}
        )
    return level


@admin.register(Procedure)
class ProcedureAdmin(PreviewViews, ReviewViews, TranslationsOfPage, ContentAdmin):
    form = ProcedureForm
    list_display = [
        "title",
        "publishing",
        "author",
        "specialty_names",
        "last_updated",
        review_due,
        reading_level,
        "translation_states",
    ]
    list_filter = [PublishingFilter, ReviewStateFilter, "specialties", "author"]
    list_select_related = ["author"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "first_published",
        "last_updated",
        "medical_review",
        "readability_summary",
        "former_addresses",
        "translations",
    ]
    inlines = [RelatedLinkInline, ReferenceInline, ProcedureCodeInline, ChangeNoteInline]
    save_on_top = True

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["title", "slug", "former_addresses", "summary", "status", "procedure_type"]}),
            (
                gettext("Publish or withdraw at a set time"),
                {
                    "description": gettext(
                        "Optional. A published page with a future “go live at” time goes live by itself "
                        "then; “withdraw at” takes it down by itself. No one needs to be at the computer."
                    ),
                    "fields": ["publish_at", "unpublish_at"],
                },
            ),
            (gettext("Medical review"), {"fields": ["medical_review"]}),
            (gettext("Translations"), {"fields": ["translations"]}),
            (
                gettext("Sections"),
                {
                    "description": gettext(
                        'Write each section in Markdown. "What it is" and "Risks and side effects" '
                        "are needed before the page can be published. Start sub-headings with #. "
                        "Cite a reference with [^1]."
                    ),
                    "fields": [field for field, _, _ in Procedure.SECTIONS],
                },
            ),
            (gettext("Readability"), {"fields": ["readability_summary"]}),
            (
                gettext("Who wrote it and where it belongs"),
                {"fields": ["author", "specialties", "conditions", "body_areas", "disclaimer"]},
            ),
            (gettext("Picture"), {"classes": ["collapse"], "fields": ["hero_image", "hero_alt"]}),
            (gettext("Dates"), {"fields": ["first_published", "last_updated"]}),
        ]
        if obj is not None:
            fieldsets.insert(1, (gettext("What changed"), {"fields": ["is_content_change", "change_note"]}))
        return self.with_opened_version(fieldsets)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("specialties", "translations")

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def publishing(self, procedure):
        if procedure.is_scheduled:
            return format_html(
                gettext("<strong>Scheduled</strong>: goes live {}"),
                date_format(timezone.localtime(procedure.publish_at), "j M Y H:i"),
            )
        if procedure.is_published:
            if withdraws := procedure.unpublish_at:
                return gettext("Live, until %(date)s") % {"date": date_format(timezone.localtime(withdraws), "j M Y H:i")}
            return gettext("Live")
        if procedure.status == Procedure.Status.PUBLISHED:
            return gettext("Withdrawn (its “withdraw at” time has passed)")
        return gettext("Draft")

    @admin.display(description=gettext_lazy("specialties"))
    def specialty_names(self, procedure):
        return ", ".join(specialty.name for specialty in procedure.specialties.all())

    @admin.display(description=gettext_lazy("former addresses"))
    def former_addresses(self, procedure):
        former = (
            [f"/procedures/{slug}/" for slug in procedure.former_slugs.values_list("slug", flat=True)] if procedure.pk else []
        )
        if not former:
            return gettext("None. If you change the address, the old one will keep working (it redirects here).")
        return format_html(
            gettext("{} — these redirect here."), format_html_join(", ", "<code>{}</code>", ((a,) for a in former))
        )

    @admin.display(description=gettext_lazy("medical review"))
    def medical_review(self, procedure):
        if procedure.pk is None:
            return gettext("Save the page as a draft first; a medical reviewer then records their review.")
        if procedure.last_reviewed:
            status = format_html(
                gettext("Reviewed by {} on {}. Next review due {} — {}."),
                procedure.reviewer,
                date_format(procedure.last_reviewed, "j F Y"),
                date_format(procedure.next_review_due, "j F Y"),
                procedure.review_state.label.lower(),
            )
        else:
            status = gettext("Not reviewed yet: the page cannot be published until a medical reviewer records a review.")
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            status,
            reverse("admin:procedures_procedure_review", args=[procedure.pk]),
            gettext("Record a medical review"),
        )

    @admin.display(description=gettext_lazy("reading level"))
    def readability_summary(self, procedure):
        found = procedure.readability
        if not found.words:
            return gettext("Measured when the page is saved.")
        return format_html(
            gettext("Flesch–Kincaid grade {} · SMOG grade {} · target: grade {} or below · {} words, about {} min to read.{}"),
            found.grade,
            found.smog,
            f"{settings.READING_GRADE_TARGET:g}",
            found.words,
            found.minutes,
            format_html(" <strong>{}</strong>", READING_ADVICE) if found.above_target else "",
        )

    def save_model(self, request, obj, form, change):
        note = form.cleaned_data["change_note"] if form.cleaned_data.get("is_content_change") else ""
        save_content(obj, started_from=form.cleaned_data.get("opened_version") if change else None, change_note=note)
        if obj.readability.above_target:
            messages.warning(
                request,
                gettext("“%(page)s” reads at grade %(level)s, above the target of grade %(target)s. The page was saved.")
                % {"page": obj, "level": obj.readability.level, "target": f"{settings.READING_GRADE_TARGET:g}"}
                + f" {READING_ADVICE}",
            )

    def get_urls(self):
        return [*self.review_urls(), *self.preview_urls(), *super().get_urls()]
