"""What every piece of editor-written content shares: when it was last saved, its Markdown
fields, and (for pages editors open in the admin) protection against silent overwrites."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from markdownx.models import MarkdownxField

from procedures.text.markdown import validate_markdown


class ContentModel(models.Model):
    """Content editors write. `markdown_fields` pairs each Markdown field with the hidden
    field holding its rendered, sanitised HTML (rendered by procedures.publishing)."""

    markdown_fields: tuple[tuple[str, str], ...] = ()
    markdown_top_heading = 3  # the editor's highest heading: <h3> under the page's <h1> and a section's <h2>

    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

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
        with transaction.atomic():  # a refused save leaves the caller's transaction usable
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


def check_word_list(obj, field_name):
    """Fields holding other words for something ("alopecia", "balding") take a list of words."""
    value = getattr(obj, field_name)
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise ValidationError({field_name: 'Give a list of words, e.g. ["alopecia", "balding"].'})


LIST_POSITION_HELP = (
    "Order in the list (1, 2, 3 …). Leave empty to add it at the end, so numbers cited in the text stay the same."
)
