"""Back up and restore: content/ files plus uploaded images, into an empty database."""

import datetime
import io
import shutil

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from procedures.contentfiles import CONTENT_DIR
from procedures.models import Author, CodeSystem, Condition, Disclaimer, FormerSlug, Procedure, ProcedureTranslation
from procedures.publishing import review
from procedures.publishing.content import save_content
from tests.contentfiles.fields import every_field
from tests.helpers import change_url
from tests.html import form_fields
from tests.images import picture_bytes


def a_site_with_everything_filled_in(media_in_tmp):
    """The shipped content, plus what editors add in the admin: pictures, references and links
    without positions, codes, a medical review, a history of changes, a new address, go-live and
    withdraw times, a disclaimer of its own, text a plain body cannot hold exactly, and
    translations reviewed and published, or out of date."""
    call_command("loadcontent", CONTENT_DIR, stdout=io.StringIO())
    photo = default_storage.save("images/author.jpg", ContentFile(picture_bytes(80, 80, "JPEG")))
    hero = default_storage.save("images/hero.png", ContentFile(picture_bytes(640, 360)))
    inline = default_storage.save("images/inline.png", ContentFile(picture_bytes(50, 50)))
    author = Author.objects.get(slug="anand-lakhkar")
    author.photo, author.photo_alt = photo, "Dr Lakhkar"
    author.disclosure = "Paid for talks by:\n- a clinic\n- a journal"
    save_content(author)
    reviewer = save_content(
        Author(name="Dr Rita Reviewer", slug="rita", is_qualified_reviewer=True, bio="## Training\n\nLondon.")
    )
    own = save_content(Disclaimer(title="Hair loss", slug="hair-loss-notes", body="    Not medical advice.\n"))

    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.hero_image, procedure.hero_alt = hero, "A treatment room"
    procedure.recovery += f"\n\n![A healed scalp](/media/{inline})\n\n## Your own heading\n\n    indented code"
    procedure.who_it_is_for = "\n\n  Starts with a blank line, ends with spaces.  "
    procedure.slug = "mesotherapy-injections"  # the old address redirects
    procedure.publish_at = timezone.now() - datetime.timedelta(days=3, microseconds=123)
    procedure.unpublish_at = timezone.now() + datetime.timedelta(days=30, seconds=7)
    save_content(procedure)
    procedure.references.create(title="Added in the admin, no position", year=2024, doi="10.1000/added")
    procedure.references.create(title="Given position 9", publisher="A journal", url="https://example.org/9", position=9)
    procedure.related_reading.create(title="A page on this site", url="/glossary/")
    procedure.codes.create(system=CodeSystem.ICD10CM, code="L90.5")
    procedure.codes.create(system=CodeSystem.SNOMED, code="12345678")
    older, newer = datetime.date(2026, 1, 5), datetime.date(2026, 3, 1)
    for date, note in ((older, "First change"), (newer, "Second change, same day"), (newer, "Third change, same day")):
        procedure.changes.create(date=date, note=note)
    review.record_review(procedure, reviewer=reviewer, reviewed_on=older, next_review_due=datetime.date(2027, 7, 1), by=None)
    Procedure.objects.filter(pk=procedure.pk).update(review_reminder_sent=newer)
    Condition.objects.get(slug="cellulite").codes.create(system=CodeSystem.ICD10, code="L98.8")

    spanish = procedure.translations.get(language="es")
    review.record_translation_review(spanish, reviewer=reviewer, reviewed_on=newer, by=None)
    spanish.status = ProcedureTranslation.Status.PUBLISHED
    save_content(spanish)

    hair = Procedure.objects.get(slug="mesotherapy-for-hair-loss")
    hair.disclaimer, hair.status, hair.first_published = own, Procedure.Status.DRAFT, datetime.date(2025, 2, 2)
    save_content(hair, change_note="Rewritten")  # its translations are out of date
    return {"photo": photo, "hero": hero, "inline": inline}


@pytest.mark.django_db(transaction=True)  # flush empties the real tables, as a new database would be
def test_a_backup_restores_every_field_of_every_object_and_every_image_into_an_empty_database(media_in_tmp, tmp_path):
    images = a_site_with_everything_filled_in(media_in_tmp)
    before = every_field()
    references = [row["title"] for row in before["Procedure"]["mesotherapy-injections"]["references"]]
    assert references[-2:] == ["Given position 9", "Added in the admin, no position"]
    assert [row["slug"] for row in before["Procedure"]["mesotherapy-injections"]["former_slugs"]] == ["mesotherapy"]

    # Back up, as the README says: the content files, and the uploaded images.
    backup = tmp_path / "backup"
    call_command("dumpcontent", backup / "content", stdout=io.StringIO())
    shutil.copytree(media_in_tmp, backup / "media")

    # Disaster: an empty database, no uploads.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_in_tmp)
    assert not Procedure.objects.exists()

    # Restore: uploads back in place, then the content.
    shutil.copytree(backup / "media", media_in_tmp)
    call_command("loadcontent", backup / "content", stdout=io.StringIO())

    after = every_field()
    assert after == before
    assert [t.is_out_of_date for t in ProcedureTranslation.objects.order_by("procedure__slug", "language")] == [
        True, True, False, False,  # hair loss (ar, es), then mesotherapy (ar, es)
    ]  # fmt: skip
    for procedure in Procedure.objects.all():
        for rows in (procedure.references, procedure.related_reading):
            assert [row.position for row in rows.all()] == list(range(1, rows.count() + 1))
    again = tmp_path / "again"
    call_command("dumpcontent", again, stdout=io.StringIO())
    assert files(again) == files(backup / "content")

    client = Client()
    page = client.get("/procedures/mesotherapy-injections/").content.decode()
    for path in (f"/media/{images['hero']}", f"/media/{images['inline']}"):
        assert path in page
        assert client.get(path).status_code == 200
    assert client.get(f"/media/{images['photo']}").status_code == 200
    assert f"/media/{images['photo']}" in client.get("/authors/anand-lakhkar/").content.decode()
    assert client.get("/procedures/mesotherapy/")["Location"] == "/procedures/mesotherapy-injections/"


def files(directory):
    return {path.relative_to(directory): path.read_bytes() for path in directory.rglob("*.md")}


@pytest.mark.django_db(transaction=True)  # flush empties the real tables, as a new database would be
def test_dump_and_load_keep_publishing_times_and_former_addresses(tmp_path, editor_client):
    call_command("loadcontent", stdout=io.StringIO())
    procedure = Procedure.objects.get(slug="mesotherapy")
    data = {**form_fields(editor_client.get(change_url(procedure))), "slug": "mesotherapy-injections"}
    data["unpublish_at"] = (timezone.localtime() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    editor_client.post(change_url(procedure), data)
    procedure.refresh_from_db()
    call_command("dumpcontent", tmp_path / "backup", stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    call_command("loadcontent", tmp_path / "backup", stdout=io.StringIO())
    restored = Procedure.objects.get(slug="mesotherapy-injections")
    assert restored.unpublish_at == procedure.unpublish_at
    assert FormerSlug.objects.get(slug="mesotherapy").procedure == restored
    assert Client().get("/procedures/mesotherapy/")["Location"] == "/procedures/mesotherapy-injections/"
