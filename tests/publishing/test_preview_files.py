"""A preview writes no file: a picture uploaded on the form is shown from the preview itself,
and nothing is left behind in the media folder. A translation's preview writes nothing at all."""

import io
import re

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from reversion.models import Version

from procedures.models import AuditEntry, Procedure, RenderedPage
from tests.factories import ProcedureFactory, TranslationFactory, make_editor
from tests.helpers import change_url
from tests.html import form_fields, page
from tests.images import picture_bytes, upload

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


def files_in(folder):
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def test_a_preview_with_an_uploaded_picture_shows_it_and_leaves_no_file_in_media(editor_client, media_in_tmp):
    procedure = ProcedureFactory()
    data = {**form_fields(editor_client.get(change_url(procedure))), "hero_alt": "A treatment room"}
    data["hero_image"] = upload("room.png", picture_bytes(300, 200))
    response = editor_client.post(reverse("admin:procedures_procedure_preview", args=[procedure.pk]), data)
    assert response.status_code == 200

    assert files_in(media_in_tmp) == []
    shown = page(editor_client.get(page(response).find("iframe")["src"]))
    picture = shown.select_one("figure.hero img")
    assert picture["alt"] == "A treatment room" and (picture["width"], picture["height"]) == ("300", "200")
    answer = editor_client.get(picture["src"])
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert "private" in answer["Cache-Control"] and "no-store" in answer["Cache-Control"]
    assert Image.open(io.BytesIO(answer.content)).size == (300, 200)
    assert files_in(media_in_tmp) == []
    procedure.refresh_from_db()
    assert not procedure.hero_image  # nothing saved

    someone_else = Client()
    someone_else.force_login(make_editor(username="someone-else"))
    assert someone_else.get(picture["src"]).status_code == 404  # a preview is only for the editor who asked
    assert Client().get(picture["src"]).status_code == 302  # to the login page


def test_a_preview_of_a_new_page_with_a_picture_leaves_no_file(editor_client, media_in_tmp):
    procedure = ProcedureFactory()
    add = reverse("admin:procedures_procedure_add")
    data = {**form_fields(editor_client.get(add)), "title": "New page", "slug": "new-page", "summary": "New."}
    data.update(author=procedure.author_id, specialties=[s.pk for s in procedure.specialties.all()], status="draft")
    data.update(hero_image=upload("new.png"), hero_alt="A picture")
    response = editor_client.post(reverse("admin:procedures_procedure_preview_new"), data)
    assert response.status_code == 200
    shown = page(editor_client.get(page(response).find("iframe")["src"]))
    assert editor_client.get(shown.select_one("figure.hero img")["src"]).status_code == 200
    assert files_in(media_in_tmp) == []
    assert not Procedure.objects.filter(slug="new-page").exists()


def test_saving_the_form_still_stores_the_picture(editor_client, media_in_tmp):
    procedure = ProcedureFactory()
    data = {**form_fields(editor_client.get(change_url(procedure))), "hero_alt": "A treatment room"}
    data["hero_image"] = upload("room.png")
    assert editor_client.post(change_url(procedure), data).status_code == 302
    procedure.refresh_from_db()
    assert files_in(media_in_tmp) == [media_in_tmp / procedure.hero_image.name]


def test_a_translations_preview_writes_nothing_at_all(editor_client, media_in_tmp):
    """No row (not even one rolled back), no revision, no audit entry, no file, nothing in the
    cache but the preview itself (kept for its editor)."""
    translated = TranslationFactory(language="ar", title="الميزوثيرابي", what_it_is="علاج.", risks="كدمات.")
    public = f"/ar/procedures/{translated.procedure.slug}/"
    Client().get(public)  # the public page, cached
    data = {**form_fields(editor_client.get(change_url(translated))), "risks": "كدمات واحمرار."}
    cached_before, versions, entries = set(cache._cache), Version.objects.count(), AuditEntry.objects.count()
    stored = RenderedPage.objects.get(procedure=translated.procedure).parts

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.post(reverse("admin:procedures_proceduretranslation_preview", args=[translated.pk]), data)
    assert response.status_code == 200
    writes = [q["sql"] for q in queries if WRITE.match(q["sql"]) and "django_session" not in q["sql"]]
    assert writes == []
    assert (Version.objects.count(), AuditEntry.objects.count()) == (versions, entries)
    assert RenderedPage.objects.get(procedure=translated.procedure).parts == stored
    assert [key for key in set(cache._cache) - cached_before if ":preview:" not in key] == []
    assert files_in(media_in_tmp) == []
    assert "واحمرار" in editor_client.get(page(response).find("iframe")["src"]).content.decode()
    assert "واحمرار" not in Client().get(public).content.decode()
