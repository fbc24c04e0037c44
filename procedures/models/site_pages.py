from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve, reverse

from .base import EditableContent, PatientMarkdownField


class SitePage(EditableContent):
    """A page about the site itself, such as "About our content" or "Privacy", linked from every footer."""

    markdown_fields = (("body", "body_html"),)
    markdown_top_heading = 2  # a page of its own: the editor's headings sit directly under its title

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

    def clean(self):
        for address in (f"/{self.slug}/", f"/{self.slug}/anything/"):  # the address, and what lies under it
            try:
                taken = resolve(address).view_name != "procedures:page"
            except Resolver404:
                taken = False
            if taken:
                raise ValidationError({"slug": f"/{self.slug}/ is already another part of the site. Choose another address."})
