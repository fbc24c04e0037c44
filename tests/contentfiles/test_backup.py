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
from procedures.models import (
    Author,
    Disclaimer,
    FormerSlug,
    GlossaryTerm,
    Procedure,
    SitePage,
)
from procedures.publishing.content import save_content
from tests.helpers import change_url
from tests.html import form_fields
from tests.images import picture_bytes


@pytest.mark.django_db(transaction=True)  # flush empties the real tables, as a new database would be
def test_a_backup_restores_into_an_empty_database_with_every_page_and_image(media_in_tmp, tmp_path):
    call_command("loadcontent", CONTENT_DIR)
    photo = default_storage.save("images/author.jpg", ContentFile(picture_bytes(80, 80, "JPEG")))
    hero = default_storage.save("images/hero.png", ContentFile(picture_bytes(640, 360)))
    inline = default_storage.save("images/inline.png", ContentFile(picture_bytes(50, 50)))
    author = Author.objects.get(slug="anand-lakhkar")
    author.photo, author.photo_alt = photo, "Dr Lakhkar"
    save_content(author)
    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.hero_image, procedure.hero_alt = hero, "A treatment room"
    procedure.recovery += f"\n\n![A healed scalp](/media/{inline})"
    save_content(procedure)
    before = {
        "procedures": sorted(Procedure.objects.values_list("slug", "title", "risks", "hero_image")),
        "authors": sorted(Author.objects.values_list("slug", "bio", "photo")),
        "disclaimers": sorted(Disclaimer.objects.values_list("slug", "body", "is_default")),
        "pages": sorted(SitePage.objects.values_list("slug", "body")),
        "glossary": sorted(GlossaryTerm.objects.values_list("slug", "definition")),
    }

    # Back up, as the README says: the content files, and the uploaded images.
    backup = tmp_path / "backup"
    call_command("dumpcontent", backup / "content")
    shutil.copytree(media_in_tmp, backup / "media")

    # Disaster: an empty database, no uploads.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_in_tmp)
    assert not Procedure.objects.exists()

    # Restore: uploads back in place, then the content.
    shutil.copytree(backup / "media", media_in_tmp)
    call_command("loadcontent", backup / "content")

    after = {
        "procedures": sorted(Procedure.objects.values_list("slug", "title", "risks", "hero_image")),
        "authors": sorted(Author.objects.values_list("slug", "bio", "photo")),
        "disclaimers": sorted(Disclaimer.objects.values_list("slug", "body", "is_default")),
        "pages": sorted(SitePage.objects.values_list("slug", "body")),
        "glossary": sorted(GlossaryTerm.objects.values_list("slug", "definition")),
    }
    assert after == before
    client = Client()
    page = client.get("/procedures/mesotherapy/").content.decode()
    for path in (f"/media/{hero}", f"/media/{inline}"):
        assert path in page
        assert client.get(path).status_code == 200
    assert client.get(f"/media/{photo}").status_code == 200
    assert f"/media/{photo}" in client.get("/authors/anand-lakhkar/").content.decode()


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
