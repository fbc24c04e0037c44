from django.db import models


class LoadedContentFile(models.Model):
    """When a content/ file was last loaded, so that reloading never silently overwrites admin edits."""

    path = models.CharField(max_length=255, unique=True)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["path"]

    def __str__(self):
        return self.path
