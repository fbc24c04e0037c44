import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from .models import Procedure


class UpdatedPagesFeed(Feed):
    """New and updated procedure pages, newest first, with what changed where the editor said."""

    feed_type = Atom1Feed
    title = "mesocare: new and updated pages"
    subtitle = "Treatment information for patients: pages as they are published and updated."
    author_name = "mesocare"

    def link(self):
        return reverse("procedures:index")

    def items(self):
        return (
            Procedure.objects.published()
            .select_related("author")
            .prefetch_related("changes")
            .order_by("-last_updated", "-modified_at")[:50]
        )

    def item_title(self, procedure):
        return procedure.title

    def item_description(self, procedure):
        latest = next(iter(procedure.changes.all()), None)
        if latest and latest.date == procedure.last_updated:
            return f"{procedure.summary} Updated: {latest.note}"
        return procedure.summary

    def item_author_name(self, procedure):
        return procedure.author.name

    def item_pubdate(self, procedure):
        return midday(procedure.first_published)

    def item_updateddate(self, procedure):
        return midday(procedure.last_updated)


def midday(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(12))) if date else None
