import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy

from procedures.models import Procedure, ProcedureTranslation


class UpdatedPagesFeed(Feed):
    """New and updated procedure pages, newest first, with what changed where the editor said.

    In each language (/es/feeds/updates/), a page with a published translation into it is listed
    with the translation's title and summary; one without, in English, as on the site."""

    feed_type = Atom1Feed
    title = gettext_lazy("mesocare: new and updated pages")
    subtitle = gettext_lazy("Treatment information for patients: pages as they are published and updated.")
    author_name = "mesocare"

    def link(self):
        return reverse("procedures:index")

    def items(self):
        procedures = (
            Procedure.objects.published()
            .select_related("author")
            .prefetch_related("changes")
            .order_by("-last_updated", "-first_published", "title")
        )
        language = translation.get_language()
        if language != settings.LANGUAGE_CODE:
            published = ProcedureTranslation.objects.published().filter(language=language)
            procedures = procedures.prefetch_related(Prefetch("translations", published, to_attr="translations_shown"))
        return procedures[:50]

    def item_title(self, procedure):
        translated = translation_shown(procedure)
        return translated.title if translated else procedure.title

    def item_description(self, procedure):
        # Atom says the summary is HTML; ours is plain text, so it is escaped to stay text.
        translated = translation_shown(procedure)
        if translated:  # the change notes are the English page's
            return escape(translated.summary)
        latest = next(iter(procedure.changes.all()), None)
        if latest and latest.date == procedure.last_updated:  # all in English, as the page is
            return escape(f"{procedure.summary} Updated: {latest.note}")
        return escape(procedure.summary)

    def item_author_name(self, procedure):
        return procedure.author.name

    def item_pubdate(self, procedure):
        return start_of(procedure.first_published)

    def item_updateddate(self, procedure):
        return start_of(procedure.last_updated)


def translation_shown(procedure):
    return next(iter(getattr(procedure, "translations_shown", ())), None)


def start_of(date):
    """Pages carry dates, feeds want times: the start of the day (never in the future)."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min)) if date else None
