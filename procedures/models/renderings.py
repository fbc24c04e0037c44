from django.db import models

from .pages import Procedure


class RenderedPage(models.Model):
    """A procedure page as patients see it, rendered when it (or anything it shows) was saved,
    so that showing it costs no template work: the parts of the page that depend only on the
    page itself and what it names (its people, tags, disclaimer, glossary terms), around the
    parts worked out for each visit (related treatments, the review-due notice, links with the
    site's address). Written by procedures.publishing.rendering."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, primary_key=True, related_name="rendered")
    parts = models.JSONField(default=dict)
    rendered_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.procedure} (rendered {self.rendered_at:%Y-%m-%d %H:%M})"
