import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models, transaction
from django.db.models import Count, F, Min, Q
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import date_format
from markdownx.models import MarkdownxField

from .markdown import Glossary, render_markdown, validate_markdown
from .readability import Readability, measure

CONTENT_VERSION_KEY = "content-version"
NEXT_SCHEDULED_CHANGE_KEY = "next-scheduled-change"


def content_version():
    """A number that changes whenever any content is saved, or a page goes live or is
    withdrawn at its set time; part of every page-cache key."""
    next_change = cache.get(NEXT_SCHEDULED_CHANGE_KEY)
    if next_change is None:
        cache.set(NEXT_SCHEDULED_CHANGE_KEY, Procedure.objects.next_scheduled_change(), timeout=None)
    elif next_change <= timezone.now():
        content_changed()  # a scheduled page just went live or was withdrawn: lists on pages change
    return cache.get_or_set(CONTENT_VERSION_KEY, 1, timeout=None)


def content_changed():
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, 2, timeout=None)
    cache.delete(NEXT_SCHEDULED_CHANGE_KEY)  # worked out again when next asked


class ContentModel(models.Model):
    """Shared by everything editors write: saving re-renders Markdown and refreshes cached pages."""

    # (markdown field, html field) pairs rendered on save.
    markdown_fields: tuple[tuple[str, str], ...] = ()

    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.render_markdown()
        super().save(*args, **kwargs)
        content_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        content_changed()
        return result

    def render_markdown(self):
        for source, html in self.markdown_fields:
            setattr(self, html, render_markdown(getattr(self, source)))

    @property
    def rendered_fields(self):
        """The stored fields that saving computes from the editor's text."""
        return [html for _, html in self.markdown_fields]


class PatientMarkdownField(MarkdownxField):
    """Editors' Markdown (with the live preview), within the limits that keep pages quick to show."""

    default_validators = [validate_markdown]


class EditConflict(Exception):
    """Someone else saved this page after the editor opened it."""


class EditableContent(ContentModel):
    """A page editors open and save in the admin: a second editor's save never silently
    overwrites the first's. Each save counts up `edit_version`; a save that says which
    version the editor started from is refused (EditConflict) if that is no longer the
    version in the database, decided in the UPDATE statement itself, so it holds under
    concurrent requests."""

    edit_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, started_from=None, **kwargs):
        self._started_from = started_from
        if not self._state.adding and kwargs.get("update_fields") is None:
            self.edit_version = (started_from or self.edit_version) + 1
        super().save(*args, **kwargs)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        started_from = getattr(self, "_started_from", None)
        if started_from is not None:
            base_qs = base_qs.filter(edit_version=started_from)
        updated = super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if started_from is not None and not updated:
            raise EditConflict(self)
        return updated


def validate_link_target(value):
    """Links editors add must go to a web page or to a page on this site."""
    if "\\" in value:  # browsers read "/\\evil.example" as another site
        raise ValidationError("Web addresses cannot contain a backslash (\\).")
    if value.startswith("/") and not value.startswith("//"):
        return
    URLValidator(
        schemes=["http", "https"],
        message="Enter a full web address starting with https:// (or http://), "
        "or an address on this site starting with a single /.",
    )(value)


class Specialty(ContentModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in web addresses. Letters, numbers and hyphens.")
    description = models.TextField(blank=True, help_text="One or two plain sentences about what this specialty covers.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procedures:specialty", args=[self.slug])


def squeezed(text):
    return re.sub(r"[^a-z0-9]", "", text.lower())


class CodeSystem(models.TextChoices):
    """Coding systems clinics' record systems use; values are their HL7 OIDs."""

    ICD10CM = "2.16.840.1.113883.6.90", "ICD-10-CM"
    ICD10 = "2.16.840.1.113883.6.3", "ICD-10 (WHO)"
    SNOMED = "2.16.840.1.113883.6.96", "SNOMED CT"
    CPT = "2.16.840.1.113883.6.12", "CPT"

    @classmethod
    def from_name(cls, value):
        """A system from its OID or its name, however written (ICD-10-CM, icd10cm, SNOMED CT,
        SNOMED-CT, ICD-10), or None."""
        wanted = (value or "").strip()
        for system in cls:
            names = {squeezed(system.label), squeezed(system.label.split(" (")[0]), squeezed(system.name)}
            if wanted == system.value or squeezed(wanted) in names:
                return system
        return None


class Code(models.Model):
    """A code from a coding system, e.g. ICD-10-CM L64.9."""

    system = models.CharField(max_length=40, choices=CodeSystem, default=CodeSystem.ICD10CM)
    code = models.CharField(max_length=40, help_text="As written in the coding system, e.g. L64.9.")

    class Meta:
        abstract = True
        ordering = ["system", "code"]

    def __str__(self):
        return f"{self.get_system_display()} {self.code}"

    def clean(self):
        self.code = self.code.strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9.\-]{0,39}", self.code):
            raise ValidationError({"code": "Write the code as the coding system does, e.g. L64.9 (letters, digits, dots)."})


class BodyArea(ContentModel):
    """A part of the body a procedure is done on, e.g. the scalp or the thighs."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="Optional: one plain sentence, e.g. where it is.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procedures:body-area", args=[self.slug])


class Condition(ContentModel):
    """Something patients come with (hair loss, cellulite, …) that procedures treat."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    also_known_as = models.JSONField(
        "other names", default=list, blank=True, help_text='Words patients or doctors also use, e.g. ["alopecia", "balding"].'
    )
    description = models.TextField(blank=True, help_text="One or two plain sentences, no Markdown.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procedures:condition", args=[self.slug])

    def clean(self):
        if not isinstance(self.also_known_as, list) or not all(isinstance(word, str) for word in self.also_known_as):
            raise ValidationError({"also_known_as": 'Give a list of words, e.g. ["alopecia", "balding"].'})


class ConditionCode(Code):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="codes")

    class Meta(Code.Meta):
        constraints = [models.UniqueConstraint(fields=["condition", "system", "code"], name="unique_condition_code")]


class Author(EditableContent):
    markdown_fields = (("bio", "bio_html"),)

    name = models.CharField(max_length=100, help_text='As patients should see it, e.g. "Dr Jane Smith".')
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in the author page's web address.")
    credentials = models.CharField(max_length=100, blank=True, help_text='Degrees and qualifications, e.g. "MD, MS, PhD".')
    role = models.CharField("role or job title", max_length=150, blank=True)
    photo = models.ImageField(
        upload_to="images/", blank=True, help_text="Optional. Without one, the page shows the author's initials."
    )
    photo_alt = models.CharField(
        "photo description",
        max_length=200,
        blank=True,
        help_text='Describes the photo for people who cannot see it, e.g. "Dr Jane Smith smiling".',
    )
    bio = PatientMarkdownField(blank=True, help_text="A short biography in Markdown: training, experience, areas of work.")
    bio_html = models.TextField(blank=True, editable=False)
    disclosure = models.TextField(
        "conflicts of interest",
        default="None declared.",
        help_text="Commercial relationships or other interests a reader should know about, "
        'in plain words. Write "None declared." when there are none.',
    )
    is_qualified_reviewer = models.BooleanField(
        "is qualified to review medical pages",
        default=False,
        help_text="A registered doctor (or other qualified clinician) who may be named as a page's medical reviewer.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text="This person's staff login, if they have one: review reminders go to its e-mail address.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(photo="") | ~Q(photo_alt=""),
                name="author_photo_has_description",
                violation_error_message="Describe the photo for people who cannot see it.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procedures:author", args=[self.slug])

    @property
    def initials(self):
        words = [word for word in self.name.replace(".", " ").split() if word.lower() not in {"dr", "prof", "mr", "mrs", "ms"}]
        return "".join(word[0] for word in words[:1] + words[1:][-1:]).upper()

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": "Describe the photo for people who cannot see it."})


class Disclaimer(EditableContent):
    markdown_fields = (("body", "body_html"),)

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=100, unique=True, help_text="A short name used in content files.")
    body = PatientMarkdownField(help_text="The disclaimer text in Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    is_default = models.BooleanField(
        "is the site default",
        default=False,
        help_text="Shown on every procedure page that does not name its own disclaimer. "
        "Exactly one disclaimer is the site default: ticking this one unticks the old one.",
    )

    class Meta:
        ordering = ["-is_default", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_site_default_disclaimer",
                violation_error_message="Only one disclaimer can be the site default.",
            ),
        ]

    def __str__(self):
        return f"{self.title} (site default)" if self.is_default else self.title

    @transaction.atomic
    def save(self, *args, **kwargs):
        if self.is_default:
            Disclaimer.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.is_default:
            return reverse("procedures:site-disclaimer")
        return reverse("procedures:disclaimer", args=[self.slug])

    @classmethod
    def site_default(cls):
        return cls.objects.filter(is_default=True).first()

    def validate_constraints(self, exclude=None):
        # Ticking "site default" here is how an editor moves it: save() unticks the old one.
        super().validate_constraints(exclude={*(exclude or ()), "is_default"})

    def clean(self):
        was_default = self.pk and Disclaimer.objects.filter(pk=self.pk, is_default=True).exists()
        if was_default and not self.is_default:
            raise ValidationError(
                {"is_default": "The site must always have a default disclaimer. Make another one the default instead."}
            )


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        """Pages patients can see now: published, past any "go live at" time and before any
        "withdraw at" time. Scheduling needs no worker: it is decided here, at each request."""
        now = timezone.now()
        return self.filter(
            Q(publish_at__isnull=True) | Q(publish_at__lte=now),
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now),
            status=Procedure.Status.PUBLISHED,
        )

    def next_scheduled_change(self):
        """When the next page goes live or is withdrawn at its set time (far in the future if none)."""
        now = timezone.now()
        times = self.filter(status=Procedure.Status.PUBLISHED).aggregate(
            going_live=Min("publish_at", filter=Q(publish_at__gt=now)),
            withdrawn=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
        )
        upcoming = [time for time in times.values() if time]
        return min(upcoming) if upcoming else datetime.datetime.max.replace(tzinfo=datetime.UTC)

    def scheduled(self):
        """Published pages waiting for their time to go live."""
        return self.filter(status=Procedure.Status.PUBLISHED, publish_at__gt=timezone.now())

    def in_review_state(self, state):
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)
        conditions = {
            ReviewState.NOT_REVIEWED: Q(last_reviewed__isnull=True),
            ReviewState.OVERDUE: Q(next_review_due__lt=today),
            ReviewState.DUE_SOON: Q(next_review_due__gte=today, next_review_due__lte=soon),
            ReviewState.UP_TO_DATE: Q(next_review_due__gt=soon),
        }
        return self.filter(conditions[state])

    def for_cards(self):
        """Just what a procedure card on a list shows."""
        return self.only("title", "slug", "summary", "author_id")

    def for_page(self):
        """A procedure with the people and disclaimer its page names. The lists on the page
        (specialties, references, …) are each one query, made only when the page is not cached."""
        return self.select_related("author", "reviewer", "disclaimer")


@dataclass(frozen=True)
class Section:
    field: str
    title: str
    anchor: str
    html: str


class ProcedureType(models.TextChoices):
    # Values of schema.org's MedicalProcedureType.
    NONINVASIVE = "NoninvasiveProcedure", "Non-invasive (the skin is not broken)"
    PERCUTANEOUS = "PercutaneousProcedure", "Through the skin (injections, needles)"
    SURGICAL = "SurgicalProcedure", "Surgical"


class ReviewState(models.TextChoices):
    NOT_REVIEWED = "not-reviewed", "Not reviewed yet"
    OVERDUE = "overdue", "Review overdue"
    DUE_SOON = "due-soon", "Review due within 30 days"
    UP_TO_DATE = "up-to-date", "Reviewed, up to date"


REVIEW_DUE_SOON_DAYS = 30


class Procedure(EditableContent):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (only staff can see it)"
        PUBLISHED = "published", "Published"

    # The sections a patient expects, in page order: (field, heading, anchor).
    # Anchors are part of links clinics keep: never change one.
    SECTIONS = (
        ("what_it_is", "What it is", "what-it-is"),
        ("who_it_is_for", "Who it is for", "who-it-is-for"),
        ("preparation", "How to prepare", "how-to-prepare"),
        ("how_it_is_done", "How it is done", "how-it-is-done"),
        ("risks", "Risks and side effects", "risks-and-side-effects"),
        ("recovery", "Recovery and aftercare", "recovery-and-aftercare"),
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
    reviewer = models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_procedures",
        limit_choices_to={"is_qualified_reviewer": True},
        verbose_name="medical reviewer",
    )
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

    @transaction.atomic
    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and not self.first_published:
            self.first_published = self.goes_live_on
        before = Procedure.objects.filter(pk=self.pk).values(*AUDITED_FIELDS).first() if self.pk else None
        old_slug = before["slug"] if before else None
        super().save(*args, **kwargs)
        self.glossary_terms.set(GlossaryTerm.objects.filter(slug__in=self._glossary_used))
        audit_publishing(self, before)
        if old_slug and old_slug != self.slug:
            # Links people saved keep working: the old address now answers 301 to this one.
            FormerSlug.objects.update_or_create(
                slug=old_slug, defaults={"procedure": self, "title": self.title, "retired_at": timezone.now()}
            )
        if FormerSlug.objects.filter(deleted_procedure_id=self.pk).update(procedure=self, deleted_procedure_id=None):
            AuditEntry.record(AuditEntry.Action.RECOVERED, self)  # a deleted page is back, with its old addresses
        FormerSlug.objects.filter(slug=self.slug).delete()  # the address is this page's own again
        from .search import index  # search reads these models, so it is imported late

        index(self)

    def get_absolute_url(self):
        return reverse("procedures:detail", args=[self.slug])

    @transaction.atomic
    def delete(self, *args, **kwargs):
        # The page's addresses answer 410 Gone from now on (and come back if it is restored).
        FormerSlug.objects.filter(procedure=self).update(deleted_procedure_id=self.pk)
        FormerSlug.objects.update_or_create(
            slug=self.slug,
            defaults={"procedure": None, "deleted_procedure_id": self.pk, "title": self.title, "retired_at": timezone.now()},
        )
        AuditEntry.record(AuditEntry.Action.DELETED, self)
        return super().delete(*args, **kwargs)

    @property
    def goes_live_on(self):
        return timezone.localdate(self.publish_at) if self.publish_at else timezone.localdate()

    def render_markdown(self):
        """Render the sections in page order, linking each glossary term's first use on the page."""
        glossary = GlossaryTerm.glossary()
        for source, html in self.markdown_fields:
            setattr(self, html, render_markdown(getattr(self, source), glossary))
        self._glossary_used = glossary.used
        found = measure("".join(getattr(self, html) for _, html in self.markdown_fields))
        self.reading_grade, self.smog_grade = found.grade, found.smog
        self.word_count, self.reading_minutes = found.words, found.minutes

    @property
    def rendered_fields(self):
        return [*super().rendered_fields, "reading_grade", "smog_grade", "word_count", "reading_minutes"]

    @property
    def is_published(self):
        """Shown to patients now (see ProcedureQuerySet.published)."""
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and (self.publish_at is None or self.publish_at <= now)
            and (self.unpublish_at is None or self.unpublish_at > now)
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
        """Editors' choices first, then pages sharing the most conditions, then specialties."""
        chosen = list(self.related_procedures.published().for_cards())
        if len(chosen) < limit:
            others = (
                Procedure.objects.published()
                .for_cards()
                .exclude(pk__in=[self.pk, *(p.pk for p in chosen)])
                .annotate(
                    shared_conditions=Count("conditions", filter=Q(conditions__procedures=self), distinct=True),
                    shared_specialties=Count("specialties", filter=Q(specialties__procedures=self), distinct=True),
                )
                .filter(Q(shared_conditions__gt=0) | Q(shared_specialties__gt=0))
                .order_by("-shared_conditions", "-shared_specialties", "title")
            )
            chosen += list(others[: limit - len(chosen)])
        return chosen

    def disclaimer_to_show(self):
        return self.disclaimer or Disclaimer.site_default()

    @property
    def review_state(self):
        if not self.last_reviewed:
            return ReviewState.NOT_REVIEWED
        today = timezone.localdate()
        if self.next_review_due < today:
            return ReviewState.OVERDUE
        if self.next_review_due <= today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS):
            return ReviewState.DUE_SOON
        return ReviewState.UP_TO_DATE

    @property
    def is_due_for_review(self):
        return self.review_state == ReviewState.OVERDUE

    @property
    def readability(self):
        return Readability(self.reading_grade, self.smog_grade, self.word_count, self.reading_minutes)

    def clean(self):
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
        former = FormerSlug.objects.filter(slug=self.slug, procedure__isnull=False).exclude(procedure=self.pk).first()
        if former:
            errors["slug"] = (
                f"This address used to belong to “{former.procedure}”, and old links to it still lead there. "
                "Choose another address."
            )
        if errors:
            raise ValidationError(errors)


LIST_POSITION_HELP = (
    "Order in the list (1, 2, 3 …). Leave empty to add it at the end, so numbers cited in the text stay the same."
)


class RelatedLink(ContentModel):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="related_reading")
    title = models.CharField("link text", max_length=200)
    url = models.CharField(
        "address",
        max_length=500,
        validators=[validate_link_target],
        help_text="A full web address (https://…) or a page on this site (/procedures/…).",
    )
    position = models.PositiveSmallIntegerField(null=True, blank=True, help_text=LIST_POSITION_HELP)

    class Meta:
        ordering = [F("position").asc(nulls_last=True), "pk"]
        verbose_name = "related reading link"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url


class Reference(ContentModel):
    """A source the page relies on, cited from the text as [^N] (N = its number in the list)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="references")
    title = models.CharField(max_length=300)
    publisher = models.CharField("publisher or journal", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)])
    url = models.CharField("web address", max_length=500, blank=True, validators=[validate_link_target])
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[RegexValidator(r"^10\.\d{4,9}/\S+$", "A DOI looks like 10.1111/j.1524-4725.2006.32100.x")],
        help_text="For journal articles, e.g. 10.1111/j.1524-4725.2006.32100.x",
    )
    position = models.PositiveSmallIntegerField(null=True, blank=True, help_text=LIST_POSITION_HELP)

    class Meta:
        ordering = [F("position").asc(nulls_last=True), "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.link

    @property
    def link(self):
        return self.url or (f"https://doi.org/{self.doi}" if self.doi else "")


class ChangeNote(ContentModel):
    """One line in a page's public history: what changed for patients, and when."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField(default=timezone.localdate)
    note = models.CharField("what changed", max_length=200)

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{date_format(self.date, 'j M Y')}: {self.note}"

    def get_absolute_url(self):
        return f"{self.procedure.get_absolute_url()}#page-history"


class GlossaryTerm(ContentModel):
    term = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    also_matches = models.JSONField(
        "other forms",
        default=list,
        blank=True,
        help_text='Other spellings or plurals that mean the same, e.g. ["alopecias"].',
    )
    definition = models.TextField(max_length=300, help_text="One or two plain sentences, no Markdown.")

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return f"{reverse('procedures:glossary')}#term-{self.slug}"

    @classmethod
    def glossary(cls):
        return Glossary(
            [(slug, [term, *others]) for slug, term, others in cls.objects.values_list("slug", "term", "also_matches")]
        )

    def clean(self):
        if not isinstance(self.also_matches, list) or not all(isinstance(word, str) for word in self.also_matches):
            raise ValidationError({"also_matches": 'Give a list of words, e.g. ["alopecias", "baldness"].'})


def render_every_page():
    """Render every page's Markdown again, e.g. after the glossary or the sanitiser changed
    (saving a procedure also puts it into the search index anew)."""
    count = 0
    for model in (Author, Disclaimer, SitePage, Procedure):
        for obj in model.objects.all():
            obj.save(update_fields=obj.rendered_fields)  # not modified_at: no editor changed anything
            count += 1
    return count


class SitePage(EditableContent):
    """A page about the site itself, such as "About our content" or "Privacy", linked from every footer."""

    markdown_fields = (("body", "body_html"),)

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=100, unique=True, help_text="The page's address: /slug/.")
    body = PatientMarkdownField()
    body_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("procedures:page", args=[self.slug])

    def render_markdown(self):
        # A page of its own: the editor's headings sit directly under its title.
        self.body_html = render_markdown(self.body, top_heading=2)

    def clean(self):
        for address in (f"/{self.slug}/", f"/{self.slug}/anything/"):  # the address, and what lies under it
            try:
                taken = resolve(address).view_name != "procedures:page"
            except Resolver404:
                taken = False
            if taken:
                raise ValidationError({"slug": f"/{self.slug}/ is already another part of the site. Choose another address."})


class ReviewSchedule(Procedure):
    """Pages by when their next medical review is due (an admin view)."""

    class Meta:
        proxy = True
        ordering = [F("next_review_due").asc(nulls_first=True)]
        verbose_name = "review due"
        verbose_name_plural = "reviews due"


class ProcedureCode(Code):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="codes")

    class Meta(Code.Meta):
        constraints = [models.UniqueConstraint(fields=["procedure", "system", "code"], name="unique_procedure_code")]


class FormerSlug(models.Model):
    """An address a procedure page used to have. It answers 301 to the page's address now,
    or 410 Gone once the page was deleted (procedure empty)."""

    slug = models.SlugField(max_length=150, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.SET_NULL, null=True, blank=True, related_name="former_slugs")
    title = models.CharField(max_length=150, help_text="The page's title when it had this address.")
    retired_at = models.DateTimeField(default=timezone.now)
    deleted_procedure_id = models.PositiveBigIntegerField(
        null=True, blank=True, editable=False, help_text="The deleted page it belonged to, so a restore can take it back."
    )

    class Meta:
        ordering = ["-retired_at"]

    def __str__(self):
        return f"/procedures/{self.slug}/"

    def get_absolute_url(self):
        return reverse("procedures:detail", args=[self.slug])


class Synonym(ContentModel):
    """Words patients use and words pages use that mean the same, for search: "hair loss, alopecia"."""

    slug = models.SlugField(max_length=100, unique=True, help_text="A short name, used in content files.")
    words = models.CharField(
        max_length=300,
        unique=True,
        help_text="Words or phrases that mean the same, separated by commas, e.g. “hair loss, alopecia, balding”. "
        "Searching for any of them finds pages that use any of them.",
    )

    class Meta:
        ordering = ["words"]

    def __str__(self):
        return self.words

    def get_absolute_url(self):
        return f"{reverse('procedures:search')}?{urlencode({'q': self.phrases[0]})}" if self.phrases else None

    @property
    def phrases(self):
        return [" ".join(phrase.lower().split()) for phrase in self.words.split(",") if phrase.strip()]

    def clean(self):
        if len(self.phrases) < 2:
            raise ValidationError({"words": "Give at least two words or phrases, separated by commas."})
        self.words = ", ".join(self.phrases)


class UnansweredSearch(models.Model):
    """What patients searched for that found nothing: the words only, counted. No person, no address."""

    query = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    first_searched = models.DateField(default=timezone.localdate)
    last_searched = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-count", "query"]
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"

    def __str__(self):
        return self.query


class SearchDocument(models.Model):
    """What search reads for one procedure, kept in step by procedures/search.py."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    title = models.TextField()
    terms = models.TextField(help_text="Conditions, body areas, specialties, glossary terms, synonyms.")
    summary = models.TextField()
    body = models.TextField()
    vector = SearchVectorField(null=True)  # PostgreSQL only; SQLite searches its FTS5 table

    def __str__(self):
        return self.title


class SearchWord(models.Model):
    """The words search can correct a misspelling to."""

    word = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return self.word


AUDITED_FIELDS = ("slug", "status", "publish_at", "unpublish_at")


class AuditEntry(models.Model):
    """Who did what to a page, and when: published, withdrew, deleted, restored, changed its
    address, recorded a review. Written by the site; nobody can change it."""

    class Action(models.TextChoices):
        PUBLISHED = "published", "published"
        SCHEDULED = "scheduled", "scheduled"
        UNPUBLISHED = "unpublished", "unpublished"
        DELETED = "deleted", "deleted"
        RESTORED = "restored", "restored an earlier version"
        RECOVERED = "recovered", "restored the deleted page"
        ADDRESS_CHANGED = "address", "changed the address"
        REVIEWED = "reviewed", "recorded a medical review"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    who = models.CharField(max_length=150, help_text="The login's name, kept if the login is removed.")
    action = models.CharField(max_length=20, choices=Action)
    procedure = models.ForeignKey("Procedure", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries")
    page = models.CharField(max_length=150, help_text="The page's title at the time.")
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"

    def __str__(self):
        return f"{self.who} {self.get_action_display()} “{self.page}”"

    @classmethod
    def record(cls, action, procedure, detail="", user=None):
        user = user or (reversion.get_user() if reversion.is_active() else None)
        who = user.get_username() if user else "the site (content files or a command)"
        return cls.objects.create(
            user=user, who=who, action=action, procedure=procedure, page=procedure.title, detail=detail[:300]
        )


def audit_publishing(procedure, before):
    """Log publishing, withdrawing, scheduling and address changes made by this save."""
    before = before or {"slug": None, "status": Procedure.Status.DRAFT, "publish_at": None, "unpublish_at": None}
    published = Procedure.Status.PUBLISHED
    schedule_changed = (before["publish_at"], before["unpublish_at"]) != (procedure.publish_at, procedure.unpublish_at)
    if procedure.status == published and (before["status"] != published or schedule_changed):
        if procedure.is_scheduled:
            AuditEntry.record(
                AuditEntry.Action.SCHEDULED,
                procedure,
                f"goes live {date_format(timezone.localtime(procedure.publish_at), 'j M Y H:i')}",
            )
        else:
            detail = (
                f"withdraws {date_format(timezone.localtime(procedure.unpublish_at), 'j M Y H:i')}"
                if procedure.unpublish_at
                else ""
            )
            AuditEntry.record(AuditEntry.Action.PUBLISHED, procedure, detail)
    elif before["status"] == published and procedure.status != published:
        AuditEntry.record(AuditEntry.Action.UNPUBLISHED, procedure)
    if before["slug"] and before["slug"] != procedure.slug:
        AuditEntry.record(
            AuditEntry.Action.ADDRESS_CHANGED, procedure, f"/procedures/{before['slug']}/ → /procedures/{procedure.slug}/"
        )


class LoadedContentFile(models.Model):
    """When a content/ file was last loaded, so that reloading never silently overwrites admin edits."""

    path = models.CharField(max_length=255, unique=True)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["path"]

    def __str__(self):
        return self.path
