"""The procedure page: what it says, who wrote and reviewed it, and when patients may see it."""

import datetime
import operator
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from procedures.text.readability import Readability

from .base import EditableContent, PatientMarkdownField
from .disclaimers import Disclaimer
from .people import Author, reviewer_field
from .taxonomy import BodyArea, Code, Condition, Specialty

REVIEW_DUE_SOON_DAYS = 30


class ReviewState(models.TextChoices):
    NOT_REVIEWED = "not-reviewed", gettext_lazy("Not reviewed yet")
    OVERDUE = "overdue", gettext_lazy("Review overdue")
    DUE_SOON = "due-soon", gettext_lazy("Review due within 30 days")
    UP_TO_DATE = "up-to-date", gettext_lazy("Reviewed, up to date")


def review_due_ranges(today):
    """The review state of a reviewed page, by the date its next review is due: the one
    definition that `Procedure.review_state` and `ProcedureQuerySet.in_review_state()` both read.
    Each state is a (first, last) range of due dates; None is open-ended."""
    day = datetime.timedelta(days=1)
    soon = today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)
    return {
        ReviewState.OVERDUE: (None, today - day),
        ReviewState.DUE_SOON: (today, soon),
        ReviewState.UP_TO_DATE: (soon + day, None),
    }


def live_window(now):
    """When a published page is shown to patients: the one definition that
    `Procedure.is_published` and `ProcedureQuerySet.published()` both read.
    (field, comparison, moment): an empty field means no limit."""
    return (("publish_at", "lte", now), ("unpublish_at", "gt", now))


COMPARISONS = {"lte": operator.le, "gt": operator.gt}


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        """Pages patients can see now: published, past any "go live at" time and before any
        "withdraw at" time. Scheduling needs no worker: it is decided here, at each request."""
        shown = Q(status=Procedure.Status.PUBLISHED)
        for field, comparison, moment in live_window(timezone.now()):
            shown &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__{comparison}": moment})
        return self.filter(shown)

    def drafts(self):
        return self.filter(status=Procedure.Status.DRAFT)

    def scheduled(self):
        """Published pages waiting for their time to go live."""
        return self.filter(status=Procedure.Status.PUBLISHED, publish_at__gt=timezone.now())

    def in_review_state(self, state):
        not_reviewed = Q(last_reviewed__isnull=True) | Q(next_review_due__isnull=True)
        if state == ReviewState.NOT_REVIEWED:
            return self.filter(not_reviewed)
        first, last = review_due_ranges(timezone.localdate())[state]
        due = Q()
        if first:
            due &= Q(next_review_due__gte=first)
        if last:
            due &= Q(next_review_due__lte=last)
        return self.exclude(not_reviewed).filter(due)

    def for_cards(self):
        """Just what a procedure card on a list shows."""
        return self.only("title", "slug", "summary", "author_id")

    def with_rendering(self):
        """A procedure with its page as rendered when saved (procedures.publishing.patient_page)."""
        return self.select_related("rendered")

    def for_page(self):
        """A procedure with the people and disclaimer its page names, and its stored rendering
        (procedures.publishing.patient_page): one query."""
        return self.select_related("author", "reviewer", "disclaimer", "rendered")


@dataclass(frozen=True)
class Section:
    field: str
    title: str
    anchor: str
    html: str


class ProcedureType(models.TextChoices):
    # Values of schema.org's MedicalProcedureType.
    NONINVASIVE = "NoninvasiveProcedure", gettext_lazy("Non-invasive (the skin is not broken)")
    PERCUTANEOUS = "PercutaneousProcedure", gettext_lazy("Through the skin (injections, needles)")
    SURGICAL = "SurgicalProcedure", gettext_lazy("Surgical")


class Procedure(EditableContent):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft (only staff can see it)")
        PUBLISHED = "published", gettext_lazy("Published")

    # The sections a patient expects, in page order: (field, heading, anchor).
    # Anchors are part of links clinics keep: never change one. Headings stay English here (content/
    # files and the API name sections by them) and are translated where shown.
    SECTIONS = (
        ("what_it_is", gettext_noop("What it is"), "what-it-is"),
        ("who_it_is_for", gettext_noop("Who it is for"), "who-it-is-for"),
        ("preparation", gettext_noop("How to prepare"), "how-to-prepare"),
        ("how_it_is_done", gettext_noop("How it is done"), "how-it-is-done"),
        ("risks", gettext_noop("Risks and side effects"), "risks-and-side-effects"),
        ("recovery", gettext_noop("Recovery and aftercare"), "recovery-and-aftercare"),
    )
    SECTIONS_NEEDED_TO_PUBLISH = ("what_it_is", "risks")
    markdown_fields = tuple((field, f"{field}_html") for field, _, _ in SECTIONS)

    title = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=150,
        unique=True,
        help_text="The page's web address, /procedures/<this>/. "
        "If you change it, the old address keeps working: it redirects here.",
    )
    summary = models.CharField(
        max_length=200,
        help_text="One or two plain sentences (no Markdown), at most 200 characters. "
        "Shown on lists and cards and in search engines' results.",
    )
    specialties = models.ManyToManyField(Specialty, related_name="procedures")
    conditions = models.ManyToManyField(Condition, blank=True, related_name="procedures", help_text="What it treats.")
    body_areas = models.ManyToManyField(
        BodyArea, blank=True, related_name="procedures", help_text="Where on the body it is done."
    )
    related_procedures = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        verbose_name="related treatments",
        help_text="Shown first under “Related treatments”; others sharing conditions or specialties follow.",
    )
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="procedures")
    disclaimer = models.ForeignKey(
        Disclaimer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        help_text="Leave empty to show the site's default disclaimer.",
    )
    hero_image = models.ImageField(
        "picture",
        upload_to="images/",
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
        help_text="Optional picture at the top of the page.",
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_alt = models.CharField(
        "picture description",
        max_length=200,
        blank=True,
        help_text="Required with a picture: what it shows, for people who cannot see it.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    procedure_type = models.CharField(
        "kind of procedure",
        max_length=30,
        choices=ProcedureType,
        blank=True,
        help_text="Whether the skin is broken. Used by search engines.",
    )
    publish_at = models.DateTimeField(
        "go live at",
        null=True,
        blank=True,
        help_text="Optional. A published page with a time in the future goes live by itself then. "
        "Empty: live as soon as it is published.",
    )
    unpublish_at = models.DateTimeField(
        "withdraw at",
        null=True,
        blank=True,
        help_text="Optional. The page stops being shown by itself at this time.",
    )
    first_published = models.DateField(null=True, blank=True, help_text="Set automatically when the page is first published.")
    reviewer = reviewer_field("reviewed_procedures")
    last_reviewed = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    review_reminder_sent = models.DateField(null=True, blank=True, editable=False)
    last_updated = models.DateField(default=timezone.localdate, help_text="Moves to today whenever the page's text changes.")

    what_it_is = PatientMarkdownField(
        "What it is", blank=True, help_text="Needed before publishing. What the treatment is and what it is for."
    )
    who_it_is_for = PatientMarkdownField("Who it is for", blank=True, help_text="Who may benefit, and who should not have it.")
    preparation = PatientMarkdownField("How to prepare", blank=True, help_text="What to ask and do before the first session.")
    how_it_is_done = PatientMarkdownField(
        "How it is done", blank=True, help_text="What happens, how many sessions and how often."
    )
    risks = PatientMarkdownField("Risks and side effects", blank=True, help_text="Needed before publishing.")
    recovery = PatientMarkdownField("Recovery and aftercare", blank=True)
    what_it_is_html = models.TextField(blank=True, editable=False)
    who_it_is_for_html = models.TextField(blank=True, editable=False)
    preparation_html = models.TextField(blank=True, editable=False)
    how_it_is_done_html = models.TextField(blank=True, editable=False)
    risks_html = models.TextField(blank=True, editable=False)
    recovery_html = models.TextField(blank=True, editable=False)
    glossary_terms = models.ManyToManyField("GlossaryTerm", blank=True, editable=False, related_name="procedures")
    # Measured on the rendered sections whenever the page is saved (procedures/readability.py).
    reading_grade = models.FloatField("reading grade (Flesch–Kincaid)", default=0, editable=False)
    smog_grade = models.FloatField("reading grade (SMOG)", default=0, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        permissions = [("record_review", "Can record a medical review")]
        # Lists of published pages, A to Z: found and ordered from the index, without reading
        # each page's long text.
        indexes = [models.Index(fields=["status", "title", "publish_at", "unpublish_at"], name="procedure_listing")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(what_it_is="") & ~Q(risks="") & Q(first_published__isnull=False)),
                name="published_procedure_is_complete",
                violation_error_message='A published page needs its "What it is" and "Risks and side effects" sections.',
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reviewer__isnull=False, last_reviewed__isnull=False),
                name="published_procedure_is_reviewed",
                violation_error_message="A page can only be published after a medical review has been recorded.",
            ),
            models.CheckConstraint(
                condition=Q(last_reviewed__isnull=True) | Q(next_review_due__gt=models.F("last_reviewed")),
                name="next_review_after_last",
                violation_error_message="The next review must be due after the last review.",
            ),
            models.CheckConstraint(
                condition=Q(hero_image="") | ~Q(hero_alt=""),
                name="procedure_picture_has_description",
                violation_error_message="Describe the picture for people who cannot see it.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("procedures:detail", args=[self.slug])

    @property
    def rendered_fields(self):
        return [*super().rendered_fields, "reading_grade", "smog_grade", "word_count", "reading_minutes"]

    @property
    def goes_live_on(self):
        return timezone.localdate(self.publish_at) if self.publish_at else timezone.localdate()

    @property
    def is_published(self):
        """Shown to patients now (see live_window)."""
        return self.status == self.Status.PUBLISHED and all(
            getattr(self, field) is None or COMPARISONS[comparison](getattr(self, field), moment)
            for field, comparison, moment in live_window(timezone.now())
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at > timezone.now()

    @property
    def was_public(self):
        """Patients could see it once (so its address answers 410 Gone, not 404, when it is not shown)."""
        today = timezone.localdate()
        return bool(self.first_published and self.first_published <= today) and not self.is_scheduled

    def sections(self):
        """The sections that have text, in page order."""
        return [
            Section(field, title, anchor, getattr(self, f"{field}_html"))
            for field, title, anchor in self.SECTIONS
            if getattr(self, field).strip()
        ]

    def related_treatments(self, limit=4):
        """Editors' choices first (by title), then pages sharing the most conditions, then
        specialties. Ranked in SQL written out (related_rank_sql): building the same ranking from
        joins and counts costs the ORM three times as long as the database takes to run it."""
        ranked = RawSQL(related_rank_sql(), [self.pk] * 3)  # noqa: S611 (fixed SQL; the one parameter is an id)
        return list(
            Procedure.objects.published()
            .for_cards()
            .exclude(pk=self.pk)
            .annotate(rank=ranked)
            .filter(rank__gt=0)
            .order_by("-rank", "title")[:limit]
        )

    def disclaimer_to_show(self):
        return self.disclaimer or Disclaimer.site_default()

    @property
    def review_state(self):
        if not (self.last_reviewed and self.next_review_due):
            return ReviewState.NOT_REVIEWED
        for state, (first, last) in review_due_ranges(timezone.localdate()).items():
            if (first is None or first <= self.next_review_due) and (last is None or self.next_review_due <= last):
                return state
        raise AssertionError("review_due_ranges covers every date")  # pragma: no cover

    @property
    def is_due_for_review(self):
        return self.review_state == ReviewState.OVERDUE

    @property
    def readability(self):
        return Readability(self.reading_grade, self.smog_grade, self.word_count, self.reading_minutes)

    def clean(self):
        former_slugs = type(self).former_slugs.rel.related_model.objects  # FormerSlug, which points here
        errors = {}
        if self.status == self.Status.PUBLISHED:
            self.first_published = self.first_published or self.goes_live_on
            for field, title, _ in self.SECTIONS:
                if field in self.SECTIONS_NEEDED_TO_PUBLISH and not getattr(self, field).strip():
                    errors[field] = f'Write the "{title}" section before publishing, or keep the page as a draft.'
            if not (self.reviewer_id and self.last_reviewed):
                errors["status"] = (
                    "This page has not had a medical review yet, so it cannot be published. "
                    "Keep it as a draft and ask a medical reviewer to record a review."
                )
        if self.hero_image and not self.hero_alt.strip():
            errors["hero_alt"] = "Describe the picture for people who cannot see it."
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            errors["unpublish_at"] = "The page must be withdrawn after it goes live."
        former = former_slugs.filter(slug=self.slug, procedure__isnull=False).exclude(procedure=self.pk).first()
        if former:
            errors["slug"] = (
                f"This address used to belong to “{former.procedure}”, and old links to it still lead there. "
                "Choose another address."
            )
        if errors:
            raise ValidationError(errors)


@cache
def related_rank_sql():
    """How related another page is to page %s: an editor's choice above all, then each shared
    condition above any number of shared specialties."""
    page = Procedure._meta.db_table
    chosen, conditions, specialties = (
        getattr(Procedure, name).through._meta.db_table for name in ("related_procedures", "conditions", "specialties")
    )
    # Table names from the models' own metadata; no outside input.
    return (
        f"CASE WHEN EXISTS (SELECT 1 FROM {chosen} c WHERE c.from_procedure_id = %s AND c.to_procedure_id = {page}.id) "  # noqa: S608
        f"THEN 1000000 ELSE 1000 * (SELECT COUNT(*) FROM {conditions} a JOIN {conditions} b ON b.condition_id = a.condition_id "
        f"WHERE a.procedure_id = {page}.id AND b.procedure_id = %s) + (SELECT COUNT(*) FROM {specialties} a "
        f"JOIN {specialties} b ON b.specialty_id = a.specialty_id WHERE a.procedure_id = {page}.id AND b.procedure_id = %s) END"
    )


class ProcedureCode(Code):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="codes")

    class Meta(Code.Meta):
        constraints = [models.UniqueConstraint(fields=["procedure", "system", "code"], name="unique_procedure_code")]


class ReviewSchedule(Procedure):
    """Pages by when their next medical review is due (an admin view)."""

    class Meta:
        proxy = True
        ordering = [F("next_review_due").asc(nulls_first=True)]
        verbose_name = "review due"
        verbose_name_plural = "reviews due"
