import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from procedures.models import Procedure


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
            .order_by("-last_updated", "-first_published", "title")[:50]
        )

    def item_title(self, procedure):
        return procedure.title

    def item_description(self, procedure):
        # Atom says the summary is HTML; ours is plain text, so it is escaped to stay text.
        latest = next(iter(procedure.changes.all()), None)
        if latest and latest.date == procedure.last_updated:
            return escape(f"{procedure.summary} Updated: {latest.note}")
        return escape(procedure.summary)

    def item_author_name(self, procedure):
        return procedure.author.name

    def item_pubdate(self, procedure):
        return start_of(procedure.first_published)

    def item_updateddate(self, procedure):
        return start_of(procedure.last_updated)


def start_of(date):
    """Pages carry dates, feeds want times: the start of the day (never in the future)."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min)) if date else None
