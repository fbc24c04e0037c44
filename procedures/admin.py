import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import preview, revisions, search
from .forms import CitationsCheck, OneEditorAtATimeForm, ProcedureForm, ReviewForm
from .images import RasterImageField
from .models import (
    AuditEntry,
    Author,
    BodyArea,
    ChangeNote,
    Condition,
    ConditionCode,
    Disclaimer,
    EditableContent,
    EditConflict,
    GlossaryTerm,
    Procedure,
    ProcedureCode,
    Reference,
    RelatedLink,
    ReviewSchedule,
    ReviewState,
    SitePage,
    Specialty,
    Synonym,
    UnansweredSearch,
    content_changed,
    render_every_page,
)

READING_ADVICE = "Shorter sentences and everyday words make it easier to read."


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


class ContentAdmin(VersionAdmin):
    """What every admin for editors' content shares: the Markdown editor, checked images,
    a revision on every save (django-reversion), compare and restore, and no silent
    overwrites between two editors."""

    formfield_overrides = {
        MarkdownxField: {"widget": MarkdownEditor},
        models.ImageField: {"form_class": RasterImageField},
        # One labelled date-and-time box (the browser's own picker), not the admin's two unlabelled ones.
        models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeBox},
    }
    change_form_template = "admin/procedures/change_form.html"
    object_history_template = "admin/procedures/object_history.html"
    recover_list_template = "admin/procedures/recover_list.html"

    def get_form(self, request, obj=None, **kwargs):
        if issubclass(self.model, EditableContent) and not issubclass(self.form, OneEditorAtATimeForm):
            kwargs.setdefault("form", OneEditorAtATimeForm)
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

    def save_model(self, request, obj, form, change):
        if change and isinstance(obj, EditableContent):
            obj.save(started_from=form.cleaned_data.get("opened_version"))
        else:
            obj.save()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if request.method == "GET" else None
        if obj is not None and not Version.objects.get_for_object(obj).exists():
            # Pages made outside the admin have no history yet: keep them as they are now,
            # so that edits can always be compared and undone.
            with reversion.create_revision():
                reversion.add_to_revision(obj)
                reversion.set_comment("The page as it was before its first edit in the admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
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

    # History: compare any revision with the page now, restore it in one step.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:version_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        versions = (
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_compare"
        actions = [{"revision": v.revision, "compare_url": reverse(name, args=[object_id, v.pk])} for v in versions]
        return admin.ModelAdmin.history_view(self, request, object_id, {"action_list": actions, **(extra_context or {})})

    def version_or_404(self, request, object_id, version_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = Version.objects.get_for_model(self.model).select_related("revision__user")
        return get_object_or_404(versions, pk=version_id, object_id=unquote(object_id))

    def get_changeform_initial_data(self, request):
        # Initial values from the address (?title=…) for text only: a date or a choice typed
        # into an address would not fit its field.
        initial = super().get_changeform_initial_data(request)
        text = (models.CharField, models.TextField)
        allowed = {f.name for f in self.model._meta.fields if isinstance(f, text) and not f.choices}
        return {name: value for name, value in initial.items() if name in allowed}

    def compare_view(self, request, object_id, version_id):
        version = self.version_or_404(request, object_id, version_id)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such page.")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare with the version saved {revisions.describe(version)}",
            "opts": self.opts,
            "original": obj,
            "version": version,
            "changes": revisions.compare_with_now(version, obj),
            "can_restore": self.has_change_permission(request, obj),
        }
        return TemplateResponse(request, "admin/procedures/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        version = self.version_or_404(request, object_id, version_id)
        if request.method != "POST":
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_compare", object_id, version_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            obj = revisions.restore(version, request.user)
        except revisions.RestoreFailed as problem:
            messages.error(request, str(problem))
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_compare", object_id, version_id)
        messages.success(request, f"Restored the version saved {revisions.describe(version)}. It is saved as a new version.")
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", obj.pk)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_changed()  # related rows and tags are saved after the object itself
        # Search documents carry the names of conditions, body areas and specialties.
        if isinstance(form.instance, Procedure):
            search.index(form.instance)
        elif isinstance(form.instance, Condition | BodyArea | Specialty):
            search.index_every_page()


@admin.register(Specialty)
class SpecialtyAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ConditionCodeInline(admin.StackedInline):
    model = ConditionCode
    extra = 1
    verbose_name_plural = "codes (e.g. ICD-10-CM L64.9), for clinics' record systems"


@admin.register(Condition)
class ConditionAdmin(ContentAdmin):
    list_display = ["name", "code_list"]
    search_fields = ["name", "codes__code"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "also_known_as", "description"]
    inlines = [ConditionCodeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("codes")

    @admin.display(description="codes")
    def code_list(self, condition):
        return ", ".join(str(code) for code in condition.codes.all())


@admin.register(BodyArea)
class BodyAreaAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Synonym)
class SynonymAdmin(ContentAdmin):
    list_display = ["words"]
    search_fields = ["words"]
    prepopulated_fields = {"slug": ["words"]}
    fields = ["words", "slug"]


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(admin.ModelAdmin):
    """What patients looked for and did not find: a list of pages to write next. Words only."""

    list_display = ["query", "count", "first_searched", "last_searched"]
    search_fields = ["query"]
    date_hierarchy = "last_searched"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Author)
class AuthorAdmin(ContentAdmin):
    list_display = ["name", "credentials", "role", "is_qualified_reviewer"]
    list_filter = ["is_qualified_reviewer"]
    search_fields = ["name", "credentials", "role"]
    prepopulated_fields = {"slug": ["name"]}

    def get_fieldsets(self, request, obj=None):
        person = ["name", "slug", "credentials", "role", "is_qualified_reviewer"]
        if request.user.has_perm("auth.change_user"):
            person.append("user")  # linking logins is for whoever manages users
        return self.with_opened_version(
            [
                (None, {"fields": person}),
                ("Photo", {"fields": ["photo", "photo_alt"]}),
                ("Biography", {"fields": ["bio", "disclosure"]}),
            ]
        )


@admin.register(Disclaimer)
class DisclaimerAdmin(ContentAdmin):
    list_display = ["title", "is_default"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "is_default", "body"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False  # the site always has a default disclaimer
        return super().has_delete_permission(request, obj)


@admin.register(SitePage)
class SitePageAdmin(ContentAdmin):
    list_display = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "body"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ContentAdmin):
    list_display = ["term", "definition"]
    search_fields = ["term", "definition"]
    prepopulated_fields = {"slug": ["term"]}
    fields = ["term", "slug", "also_matches", "definition"]

    # Every page links its glossary terms, so a change here renders every page again.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        render_every_page()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        render_every_page()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        render_every_page()


class RelatedLinkInline(admin.StackedInline):
    model = RelatedLink
    extra = 1
    fields = ["title", "url", "position"]
    verbose_name_plural = "related reading (links at the end of the page)"


class ReferenceInline(admin.StackedInline):
    model = Reference
    formset = CitationsCheck
    extra = 1
    fields = [("title", "position"), ("publisher", "year"), ("url", "doi")]
    verbose_name_plural = "references (cite reference 1 in the text as [^1], reference 2 as [^2], …)"


class ProcedureCodeInline(admin.StackedInline):
    model = ProcedureCode
    extra = 0
    verbose_name_plural = "codes for the procedure itself (optional; conditions carry their own)"


class ChangeNoteInline(admin.StackedInline):
    model = ChangeNote
    extra = 0
    fields = ["date", "note"]
    verbose_name_plural = "page history (what changed, shown on the page)"


class PublishingFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "publishing"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("scheduled", "Scheduled"), ("draft", "Draft"), ("withdrawn", "Withdrawn at a set time")]

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


class ReviewStateFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return ReviewState.choices

    def queryset(self, request, queryset):
        if self.value() in ReviewState.values:
            return queryset.in_review_state(self.value())
        return queryset


@admin.display(description="next review due", ordering="next_review_due")
def review_due(procedure):
    if procedure.next_review_due is None:
        return ReviewState.NOT_REVIEWED.label
    state = procedure.review_state
    due = date_format(procedure.next_review_due, "j M Y")
    if state in (ReviewState.OVERDUE, ReviewState.DUE_SOON):
        return format_html('<strong class="review-{}">{} ({})</strong>', state, due, state.label.lower())
    return due


@admin.display(description="reading grade", ordering="reading_grade")
def reading_level(procedure):
    level = procedure.readability.level
    if procedure.readability.above_target:
        return format_html('<strong class="readability-warning">{} — above target</strong>', level)
    return level


@admin.register(Procedure)
class ProcedureAdmin(ContentAdmin):
    form = ProcedureForm
    list_display = ["title", "publishing", "author", "specialty_names", "last_updated", review_due, reading_level]
    list_filter = [PublishingFilter, ReviewStateFilter, "specialties", "author"]
    list_select_related = ["author"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["first_published", "last_updated", "medical_review", "readability_summary", "former_addresses"]
    inlines = [RelatedLinkInline, ReferenceInline, ProcedureCodeInline, ChangeNoteInline]
    save_on_top = True

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["title", "slug", "former_addresses", "summary", "status", "procedure_type"]}),
            (
                "Publish or withdraw at a set time",
                {
                    "description": "Optional. A published page with a future “go live at” time goes live by itself "
                    "then; “withdraw at” takes it down by itself. No one needs to be at the computer.",
                    "fields": ["publish_at", "unpublish_at"],
                },
            ),
            ("Medical review", {"fields": ["medical_review"]}),
            (
                "Sections",
                {
                    "description": 'Write each section in Markdown. "What it is" and "Risks and side effects" '
                    "are needed before the page can be published. Start sub-headings with #. "
                    "Cite a reference with [^1].",
                    "fields": [field for field, _, _ in Procedure.SECTIONS],
                },
            ),
            ("Readability", {"fields": ["readability_summary"]}),
            (
                "Who wrote it and where it belongs",
                {"fields": ["author", "specialties", "conditions", "body_areas", "disclaimer"]},
            ),
            ("Picture", {"classes": ["collapse"], "fields": ["hero_image", "hero_alt"]}),
            ("Dates", {"fields": ["first_published", "last_updated"]}),
        ]
        if obj is not None:
            fieldsets.insert(1, ("What changed", {"fields": ["is_content_change", "change_note"]}))
        return self.with_opened_version(fieldsets)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("specialties")

    def delete_queryset(self, request, queryset):
        for procedure in queryset:
            procedure.delete()  # one by one, so each page's addresses answer 410 Gone

    @admin.display(description="status", ordering="status")
    def publishing(self, procedure):
        if procedure.is_scheduled:
            return format_html(
                "<strong>Scheduled</strong>: goes live {}", date_format(timezone.localtime(procedure.publish_at), "j M Y H:i")
            )
        if procedure.is_published:
            withdraws = procedure.unpublish_at
            return f"Live, until {date_format(timezone.localtime(withdraws), 'j M Y H:i')}" if withdraws else "Live"
        if procedure.status == Procedure.Status.PUBLISHED:
            return "Withdrawn (its “withdraw at” time has passed)"
        return "Draft"

    @admin.display(description="specialties")
    def specialty_names(self, procedure):
        return ", ".join(specialty.name for specialty in procedure.specialties.all())

    @admin.display(description="former addresses")
    def former_addresses(self, procedure):
        former = (
            [f"/procedures/{slug}/" for slug in procedure.former_slugs.values_list("slug", flat=True)] if procedure.pk else []
        )
        if not former:
            return "None. If you change the address, the old one will keep working (it redirects here)."
        return format_html("{} — these redirect here.", format_html_join(", ", "<code>{}</code>", ((a,) for a in former)))

    @admin.display(description="medical review")
    def medical_review(self, procedure):
        if procedure.pk is None:
            return "Save the page as a draft first; a medical reviewer then records their review."
        if procedure.last_reviewed:
            status = format_html(
                "Reviewed by {} on {}. Next review due {} — {}.",
                procedure.reviewer,
                date_format(procedure.last_reviewed, "j F Y"),
                date_format(procedure.next_review_due, "j F Y"),
                procedure.review_state.label.lower(),
            )
        else:
            status = "Not reviewed yet: the page cannot be published until a medical reviewer records a review."
        return format_html(
            '{} <a class="button" href="{}">Record a medical review</a>',
            status,
            reverse("admin:procedures_procedure_review", args=[procedure.pk]),
        )

    @admin.display(description="reading level")
    def readability_summary(self, procedure):
        found = procedure.readability
        if not found.words:
            return "Measured when the page is saved."
        return format_html(
            "Flesch–Kincaid grade {} · SMOG grade {} · target: grade {} or below · {} words, about {} min to read.{}",
            found.grade,
            found.smog,
            f"{settings.READING_GRADE_TARGET:g}",
            found.words,
            found.minutes,
            format_html(" <strong>{}</strong>", READING_ADVICE) if found.above_target else "",
        )

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("is_content_change"):
            obj.last_updated = timezone.localdate()
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("is_content_change") and obj.is_published:
            ChangeNote.objects.create(procedure=obj, date=obj.last_updated, note=form.cleaned_data["change_note"].strip())
        if obj.readability.above_target:
            messages.warning(
                request,
                f"“{obj}” reads at grade {obj.readability.level}, above the target of grade "
                f"{settings.READING_GRADE_TARGET:g}. The page was saved. {READING_ADVICE}",
            )

    # Recording a medical review -------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.record_review_view),
                name="procedures_procedure_review",
            ),
            path("add/preview/", self.admin_site.admin_view(self.preview_view), name="procedures_procedure_preview_new"),
            path("<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view), name="procedures_procedure_preview"),
            path(
                "preview/<str:token>/",
                self.admin_site.admin_view(self.preview_page_view),
                name="procedures_procedure_preview_page",
            ),
            *super().get_urls(),
        ]

    # Preview: the page as patients will see it, with unsaved changes, saving nothing --------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["preview_url"] = (
            reverse("admin:procedures_procedure_preview", args=[obj.pk])
            if obj
            else reverse("admin:procedures_procedure_preview_new")
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_view(self, request, object_id=None):
        """Build the page from the submitted form inside a transaction that is always rolled
        back, render it as patients would get it, and show it at phone and desktop widths."""
        if request.method != "POST":
            return (
                redirect("admin:procedures_procedure_change", object_id)
                if object_id
                else redirect("admin:procedures_procedure_add")
            )
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if not (self.has_change_permission(request, obj) if obj else self.has_add_permission(request)):
            raise PermissionDenied
        page, problems = preview.render_unsaved(self, request, obj)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {obj or 'new page'}",
            "opts": self.opts,
            "original": obj,
            "problems": problems,
            "token": preview.keep(page, request.user) if page else None,
        }
        return TemplateResponse(request, "admin/procedures/procedure/preview.html", context, status=400 if problems else 200)

    def preview_page_view(self, request, token):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return preview.kept_page(token, request.user)

    def record_review_view(self, request, object_id):
        procedure = self.get_object(request, unquote(object_id))
        if procedure is None:
            raise Http404("No such page.")
        if not request.user.has_perm("procedures.record_review"):
            raise PermissionDenied("Only medical reviewers can record a review.")
        own_profile = getattr(request.user, "author_profile", None)
        initial = {"reviewed_on": timezone.localdate(), "reviewer": own_profile if own_profile else procedure.reviewer}
        form = ReviewForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            procedure.reviewer = form.cleaned_data["reviewer"]
            procedure.last_reviewed = form.cleaned_data["reviewed_on"]
            procedure.next_review_due = form.cleaned_data["next_review_due"]
            procedure.review_reminder_sent = None
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(f"Recorded a medical review by {procedure.reviewer}.")
                procedure.save(
                    update_fields=["reviewer", "last_reviewed", "next_review_due", "review_reminder_sent", "modified_at"]
                )
            AuditEntry.record(AuditEntry.Action.REVIEWED, procedure, f"by {procedure.reviewer}", user=request.user)
            messages.success(request, f"Review of “{procedure}” recorded. Next review due {procedure.next_review_due:%d %B %Y}.")
            return redirect("admin:procedures_procedure_change", procedure.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Record a medical review: {procedure}",
            "opts": self.opts,
            "original": procedure,
            "form": form,
        }
        return TemplateResponse(request, "admin/procedures/procedure/record_review.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists the site keeps by itself: people read them, nobody adds, changes or deletes rows."""

    list_display_links = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewSchedule)
class ReviewScheduleAdmin(ReadOnlyAdmin):
    """Every page by when its next medical review is due, soonest (and never reviewed) first."""

    list_display = ["title", "status", "reviewer", "last_reviewed", review_due, "record_review"]
    list_filter = [ReviewStateFilter, "status", "reviewer"]
    list_select_related = ["reviewer"]

    @admin.display(description="")
    def record_review(self, procedure):
        return format_html(
            '<a href="{}">Open page</a> · <a href="{}">Record a review</a>',
            reverse("admin:procedures_procedure_change", args=[procedure.pk]),
            reverse("admin:procedures_procedure_review", args=[procedure.pk]),
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only for everyone: the site writes it, nobody changes it."""

    list_display = ["at", "who", "action", "page", "detail"]
    list_filter = ["action", "who", "page"]
    search_fields = ["page", "who", "detail"]
    date_hierarchy = "at"
