"""Whole public answers from the cache: served without the database or the templates, and never
older than what they show — after an edit, a deletion, a page going live at its set time, a
review falling due, a glossary change, or the cache losing its copies."""

import datetime
import gzip
import threading
import time

import brotli
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from procedures.http import compression
from procedures.http.page_cache import in_memory, remembered_view_at
from procedures.models import GlossaryTerm, Procedure
from procedures.publishing.content import delete_content, glossary_changed, save_content
from tests.factories import ProcedureFactory, SpecialtyFactory
from tests.helpers import change_url
from tests.html import form_fields, text
from tests.images import picture_bytes

PAGE = "/procedures/mesotherapy/"


def edit(procedure, **changes):
    for field, value in changes.items():
        setattr(procedure, field, value)
    save_content(procedure)


def test_a_cached_page_is_served_without_the_database_or_the_templates(client, shipped_content, django_assert_num_queries):
    first = client.get(PAGE)
    assert first["X-Cache"] == "miss" and first.templates
    with django_assert_num_queries(0):
        again = client.get(PAGE)
    assert again["X-Cache"] == "hit" and again.templates == []
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_procedure_page_built_anew_needs_few_queries(client, db, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0  # nothing kept: every request builds the page
    specialty = SpecialtyFactory()
    procedure = ProcedureFactory(specialties=[specialty, SpecialtyFactory()])
    ProcedureFactory.create_batch(6, specialties=[specialty])
    client.get(procedure.get_absolute_url())
    with django_assert_max_num_queries(6):
        response = client.get(procedure.get_absolute_url())
    assert response.status_code == 200 and "Related treatments" in text(response)


def test_an_edit_reaches_the_next_request_and_leaves_other_pages_cached(client, db):
    one, other = ProcedureFactory(risks="Some bruising."), ProcedureFactory(risks="Some redness.")
    for procedure in (one, other, one, other):
        client.get(procedure.get_absolute_url())
    edit(one, risks="Some bruising and swelling.")  # what only its own page shows
    response = client.get(one.get_absolute_url())
    assert response["X-Cache"] == "miss" and "Some bruising and swelling." in text(response)
    assert client.get(other.get_absolute_url())["X-Cache"] == "hit"
    edit(one, title="A new title")  # lists and other pages' cards show titles
    assert client.get(other.get_absolute_url())["X-Cache"] == "miss"


def test_a_cache_that_loses_its_versions_never_brings_back_an_old_page(client, db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 12}}}
    procedure = ProcedureFactory(risks="Version 0.")
    for number in range(1, 15):
        client.get(procedure.get_absolute_url())
        edit(procedure, risks=f"Version {number}.")
        for visitor in range(20):  # other clients' requests fill the small cache, which culls at random
            Client(REMOTE_ADDR=f"10.0.{number}.{visitor}").get("/api/v1/specialties/")
        assert f"Version {number}." in text(client.get(procedure.get_absolute_url()))


def test_an_old_answer_put_back_in_the_cache_is_not_served(client, db):
    procedure = ProcedureFactory(risks="Before.")
    client.get(procedure.get_absolute_url())
    kept = {key: value for key, value in cache._cache.items()}  # everything, the old page included
    edit(procedure, risks="After.")
    cache.clear()
    cache._cache.update(kept)  # as if the cache had been restored from before the change (or evicted and refilled)
    for key in list(cache._cache):
        if ":version:" in key:
            cache._cache.pop(key)  # its versions lost, so they are read from the database again
    assert "After." in text(client.get(procedure.get_absolute_url()))


def test_a_preview_never_touches_the_public_cache(editor_client):
    client = Client()  # a patient, beside the editor
    procedure = ProcedureFactory(risks="As published.")
    client.get(procedure.get_absolute_url())
    data = {**form_fields(editor_client.get(change_url(procedure))), "risks": "Only in the preview."}
    assert editor_client.post(reverse("admin:procedures_procedure_preview", args=[procedure.pk]), data).status_code == 200
    response = client.get(procedure.get_absolute_url())
    assert response["X-Cache"] == "hit" and "As published." in text(response)


def test_a_page_going_live_at_its_time_changes_lists_and_their_etags(client, db):
    ProcedureFactory(title="Live already")
    ProcedureFactory(title="Goes live soon", publish_at=timezone.now() + datetime.timedelta(seconds=1))
    for url in ("/procedures/", "/api/v1/procedures/"):
        first = client.get(url)
        assert "Goes live soon" not in first.content.decode()
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    time.sleep(1.2)  # nothing runs in between
    for url in ("/procedures/", "/api/v1/procedures/"):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"] if url.startswith("/api") else "")
        assert again.status_code == 200 and "Goes live soon" in again.content.decode()


def test_a_review_falling_due_changes_the_page_and_its_etag(client, db, monkeypatch):
    today = timezone.localdate()
    procedure = ProcedureFactory(last_reviewed=today - datetime.timedelta(days=700), next_review_due=today)
    first = client.get(procedure.get_absolute_url())
    assert "This page is due for review" not in text(first)
    later = timezone.now() + datetime.timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    again = client.get(procedure.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "This page is due for review" in text(again)
    assert again["ETag"] != first["ETag"]


def test_conditional_requests_after_a_deletion_see_it(client, db):
    keep, remove = ProcedureFactory(title="Stays"), ProcedureFactory(title="Goes away")
    first = client.get("/api/v1/procedures/")
    delete_content(Procedure.objects.get(pk=remove.pk))
    for headers in ({"HTTP_IF_NONE_MATCH": first["ETag"]}, {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]}):
        again = client.get("/api/v1/procedures/", **headers)
        assert again.status_code == 200 and [item["title"] for item in again.json()["results"]] == [keep.title]


def test_conditional_requests_after_a_glossary_change_see_the_new_links(client, db):
    procedure = ProcedureFactory(what_it_is="It treats alopecia.")
    first = client.get(f"/api/v1/procedures/{procedure.slug}/")
    assert "glossary-term" not in first.content.decode()
    GlossaryTerm.objects.create(term="Alopecia", slug="alopecia", definition="Hair loss.")
    glossary_changed()
    again = client.get(f"/api/v1/procedures/{procedure.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and 'href=\\"#term-alopecia\\"' in again.content.decode()


@pytest.mark.parametrize(
    "url", [PAGE, "/", "/procedures/", "/glossary/", "/sitemap.xml", "/feeds/updates/", "/api/v1/procedures/"]
)
def test_public_answers_carry_http_caching_headers(client, shipped_content, url):
    response = client.get(url)
    control = {part.strip().split("=")[0]: part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age", "s-maxage", "stale-while-revalidate", "stale-if-error"} <= set(control)
    assert response["ETag"].startswith('W/"') and response.has_header("Last-Modified")
    assert "Accept-Encoding" in response["Vary"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_the_api_code_lookup_says_when_it_last_changed(client, shipped_content):
    response = client.get("/api/v1/lookup/", {"code": "L64"})
    assert response.status_code == 200 and response.has_header("Last-Modified")
    assert client.get("/api/v1/lookup/", {"code": "L64"}, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_a_304_is_answered_without_building_the_page(client, shipped_content, django_assert_num_queries):
    etag = client.get(PAGE)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.templates == [] and response["ETag"] == etag


def test_head_is_get_without_a_body_including_304(client, shipped_content):
    full = client.get(PAGE)
    head = client.head(PAGE)
    assert head.status_code == 200 and head.content == b""
    for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Type"):
        assert head[header] == full[header]
    assert client.head(PAGE, HTTP_IF_NONE_MATCH=full["ETag"]).status_code == 304
    assert client.head(reverse("procedures:index"))["ETag"]


@pytest.mark.parametrize("url", [PAGE, "/es/procedures/mesotherapy/", "/api/v1/procedures/mesotherapy/"])
def test_a_head_asked_first_leaves_no_empty_page_for_the_next_get(client, shipped_content, url):
    head = client.head(url, HTTP_ACCEPT_ENCODING="gzip")
    assert head.status_code == 200 and head.content == b""
    full = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert full.status_code == 200 and len(gzip.decompress(full.content)) > 1000 and full["X-Cache"] == "hit"
    for header in ("ETag", "Content-Encoding", "Content-Length", "Content-Language"):
        assert head[header] == full[header], header


def test_a_304_says_the_language_of_the_page(client, shipped_content):
    for url, language in ((PAGE, "en-gb"), ("/es/procedures/mesotherapy/", "es")):
        etag = client.get(url)["ETag"]
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert not_modified.status_code == 304 and not_modified["Content-Language"] == language


def test_an_error_in_the_page_cache_gets_the_error_page_in_the_address_language(shipped_content, settings, tmp_path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("")
    settings.CACHES = {"default": {"BACKEND": "procedures.http.file_cache.RememberingFileCache", "LOCATION": str(not_a_folder)}}
    response = Client(raise_request_exception=False).get("/es/procedures/mesotherapy/")
    assert response.status_code == 500 and response["Content-Language"] == "es"
    assert "Lo sentimos, algo falló por nuestra parte" in response.content.decode()


def test_pages_go_out_compressed_to_clients_that_accept_it(client, shipped_content):
    plain = client.get(PAGE)
    zipped = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) <= 15_000 < len(plain.content)
    brotlied = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip, br")
    assert brotlied["Content-Encoding"] == "br" and brotli.decompress(brotlied.content) == plain.content
    refused = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip;q=0, br;q=0")
    assert not refused.has_header("Content-Encoding")
    search = client.get("/search/", {"q": "hair loss"}, HTTP_ACCEPT_ENCODING="gzip")
    assert search["Content-Encoding"] == "gzip"


def test_a_worker_keeps_pages_compressed_and_still_answers_clients_that_accept_no_compression(client, shipped_content):
    """Each worker keeps the answers it served last in its own memory, only in their compressed
    forms; the plain page comes from the shared cache, whole, without building it again."""
    zipped = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["X-Cache"] == "miss" and zipped["Content-Encoding"] == "br"
    plain = client.get(PAGE)
    assert plain["X-Cache"] == "hit" and not plain.has_header("Content-Encoding") and plain.templates == []
    assert brotli.decompress(zipped.content) == plain.content and "Mesotherapy" in text(plain)
    assert in_memory.size < len(plain.content)
    again = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")
    assert again["X-Cache"] == "hit" and gzip.decompress(again.content) == plain.content
    assert client.head(PAGE)["Content-Length"] == str(len(plain.content))


def brotli_window(stream):
    """The window a brotli stream says it was written with (RFC 7932, 9.1), in bytes."""
    first = stream[0]
    if first & 1 == 0:
        bits = 16
    elif first >> 1 & 7:
        bits = 17 + (first >> 1 & 7)
    else:
        bits = 8 + (first >> 4 & 7) if first >> 4 & 7 else 17
    return 2**bits - 16


def test_brotli_answers_are_written_with_a_window_no_wider_than_the_page(client, shipped_content):
    """The encoder's memory follows its window: a web worker compressing a page of 30 KB with
    brotli's default window (4 MiB) would keep about 1 MiB more than it needs."""
    for address in (PAGE, "/procedures/", "/api/v1/procedures/", "/feeds/updates/"):
        plain = client.get(address).content
        brotlied = client.get(address, HTTP_ACCEPT_ENCODING="br")
        assert brotli.decompress(brotlied.content) == plain, address
        assert len(plain) <= brotli_window(brotlied.content) < 2 * len(plain) + 16, address


def test_a_flood_of_made_up_addresses_and_headers_is_answered_and_fills_no_cache(client, shipped_content):
    client.get(PAGE)
    addresses, encodings = remembered_view_at.cache_info().currsize, compression.remembered_accepted_in.cache_info().currsize
    kept = len(cache._cache)
    for number in range(20):
        assert client.get(f"/procedures/no-such-page-{number}/").status_code == 404
        assert client.get(f"/procedures/{'x' * 300}{number}/").status_code == 404
        response = client.get(PAGE, HTTP_ACCEPT_ENCODING=f"{'x' * 300}{number}, gzip")
        assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert len(cache._cache) == kept, "nothing kept for addresses no page has"
    assert remembered_view_at.cache_info().currsize == addresses + 20  # the short ones only
    assert compression.remembered_accepted_in.cache_info().currsize == encodings


def test_nothing_with_a_csrf_token_is_compressed_or_shared(client, db):
    response = Client().get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert not response.has_header("Content-Encoding")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_staff_get_private_answers_and_never_a_shared_one(editor_client):
    client = Client()  # a patient, beside the editor
    draft = ProcedureFactory(status="draft", first_published=None, risks="Draft text.")
    published = ProcedureFactory(risks="Public text.")
    client.get(published.get_absolute_url())
    for procedure in (draft, published):
        response = editor_client.get(procedure.get_absolute_url())
        assert response.status_code == 200 and "X-Cache" not in response
        assert response["Cache-Control"] == "private, no-store"
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_page_read_while_an_edit_is_being_saved_is_not_kept_as_the_new_one(client):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database locks readers out during a write; CI runs this on PostgreSQL")
    procedure = ProcedureFactory(risks="Before.")
    client.get(procedure.get_absolute_url())
    saved, may_commit = threading.Event(), threading.Event()

    def editor_saves():
        try:
            with transaction.atomic():
                edit(Procedure.objects.get(pk=procedure.pk), risks="After.")
                saved.set()
                may_commit.wait(10)
        finally:
            connection.close()

    editor = threading.Thread(target=editor_saves)
    editor.start()
    assert saved.wait(10)
    cache.clear()  # so that the page is built anew while the edit is not yet committed
    assert "Before." in text(client.get(procedure.get_absolute_url()))
    may_commit.set()
    editor.join(10)
    assert "After." in text(client.get(procedure.get_absolute_url()))


def test_uploaded_pictures_are_kept_by_browsers_for_a_year(client, db):
    name = default_storage.save("images/kept.png", ContentFile(picture_bytes(20, 20)))
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_default_file_cache_keeps_the_pages_of_a_site_with_many(client, db, settings, tmp_path):
    """Django's file cache keeps 300 files unless told otherwise, then deletes a third of them at
    random: with each page kept in every language, with its embed and handout, a site of a few
    dozen pages would keep losing its cached answers."""
    from mesocare import settings as site_settings  # the site's own, not the tests' (in memory)

    settings.CACHES = {"default": {**site_settings.CACHES["default"], "LOCATION": str(tmp_path)}}
    settings.PAGE_CACHE_MEMORY_BYTES = 0  # so that every answer comes from the files
    addresses = [
        f"{language}/procedures/{procedure.slug}/{part}"
        for procedure in ProcedureFactory.create_batch(40)
        for language in ("", "/es", "/ar")
        for part in ("", "embed/", "print/")
    ]
    assert all(client.get(address)["X-Cache"] == "miss" for address in addresses)
    assert len(list(tmp_path.glob("*.djcache"))) > 300  # each answer, and each page's versions
    assert [client.get(address)["X-Cache"] for address in addresses] == ["hit"] * len(addresses)
