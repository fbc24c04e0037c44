"""The people who write pages and review them medically."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .base import EditableContent, PatientMarkdownField

TITLES = {"dr", "prof", "mr", "mrs", "ms"}


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
        words = [word for word in self.name.replace(".", " ").split() if word.lower() not in TITLES]
        return "".join(word[0] for word in words[:1] + words[1:][-1:]).upper()

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": "Describe the photo for people who cannot see it."})


def reviewer_field(related_name, **options):
    """Who checked a text medically: an author qualified to review, none until a review is recorded."""
    return models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        limit_choices_to={"is_qualified_reviewer": True},
        verbose_name="medical reviewer",
        **options,
    )
