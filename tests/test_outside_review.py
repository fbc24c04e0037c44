"""Defects an outside review found, each pinned where a user meets it."""

import datetime
import io
import time

import feedparser
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from procedures.models import AuditEntry, Author, FormerSlug, Procedure, Synonym, content_changed
from procedures.publishing.content import save_content

from .factories import ProcedureFactory, UserFactory
from .html import error_messages, form_fields, page, text
from .images import picture_bytes, upload


def change_url(procedure):
    return reverse("admin:procedures_procedure_change", args=[procedure.pk])


@pytest.mark.parametrize("host", ["evil.com", "", "[::1", "127.0.0.1:8055:1"])
def test_a_request_for_a_host_we_do_not_serve_gets_a_400_not_a_500(db, host):
    assert Client(HTTP_HOST=host).get("/").status_code == 400


def test_the_canonical_address_leaves_out_tracking_parameters(client, shipped_content):
    link = page(client.get("/glossary/", {"utm_source": "x"})).find("link", rel="canonical")
    assert link["href"] == "http://testserver/glossary/"
    assert not page(client.get("/nowhere/")).find("link", rel="canonical")


@pytest.mark.parametrize("value", ["²", "٣", "1.5", "１"])
def test_api_page_numbers_must_be_plain_digits(client, shipped_content, value):
    assert client.get("/api/v1/procedures/", {"page": value}).status_code == 400
    assert client.get("/api/v1/procedures/", {"page_size": value}).status_code == 400


@pytest.mark.parametrize("url", ["http://[", "http://[::1", "http://[x]/"])
def test_oembed_with_a_broken_address_is_not_found(client, db, url):
    assert client.get("/oembed/", {"url": url}).status_code == 404


@pytest.mark.parametrize("system", ["SNOMED-CT", "snomed ct", "ICD-10", "icd10cm", "ICD-10-CM"])
def test_lookup_knows_coding_systems_however_they_are_written(client, shipped_content, system):
    assert client.get("/api/v1/lookup/", {"code": "L64", "system": system}).status_code == 200


@pytest.mark.parametrize("code", [".", "-", "..", ".L64"])
def test_lookup_refuses_codes_that_are_only_punctuation(client, shipped_content, code):
    assert client.get("/api/v1/lookup/", {"code": code}).status_code == 400


def test_if_modified_since_sees_changes_to_what_a_page_shows(client, shipped_content):
    first = client.get("/api/v1/procedures/mesotherapy/")
    # The author is renamed a little later (Last-Modified counts whole seconds).
    later = timezone.now() + datetime.timedelta(seconds=2)
    Author.objects.filter(slug="anand-lakhkar").update(name="Dr A. Lakhkar", modified_at=later)
    content_changed()
    again = client.get("/api/v1/procedures/mesotherapy/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200 and again.json()["author"]["name"] == "Dr A. Lakhkar"


def test_browsers_may_send_conditional_headers_from_other_sites(client, shipped_content):
    preflight = client.options(
        "/api/v1/procedures/",
        HTTP_ORIGIN="https://clinic.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match, if-modified-since",
    )
    allowed = preflight["Access-Control-Allow-Headers"].lower()
    assert "if-none-match" in allowed and "if-modified-since" in allowed


def test_a_synonym_with_punctuation_does_not_break_search(client, shipped_content):
    Synonym.objects.create(slug="odd", words='hair loss, bald"ness, x')
    for query in ("hair loss", "x", 'bald"ness'):
        assert client.get("/search/", {"q": query}).status_code == 200


def test_only_common_words_get_a_helpful_message(client, shipped_content):
    assert "has only very common words" in text(client.get("/search/", {"q": "the and of"}))


def test_words_run_together_are_suggested_apart(client, shipped_content):
    suggestions = [a.get_text() for a in page(client.get("/search/", {"q": "hairloss"})).select("[role=status] a")]
    assert suggestions[0] == "hair loss"


def test_restoring_one_page_leaves_every_other_page_and_login_alone(editor_client, shipped_content):
    login = UserFactory(is_staff=True)
    meso = Procedure.objects.get(slug="mesotherapy")
    hair = Procedure.objects.get(slug="mesotherapy-for-hair-loss")
    loaded = Version.objects.get_for_object(meso).first()  # saved by loadcontent, in a revision of its own
    hair.summary = "Changed after loading."
    save_content(hair)
    author = Author.objects.get(slug="anand-lakhkar")
    author.user = login
    save_content(author)
    meso.risks = "Changed after loading."
    save_content(meso)
    editor_client.post(reverse("admin:procedures_procedure_restore", args=[meso.pk, loaded.pk]))
    meso.refresh_from_db()
    hair.refresh_from_db()
    author.refresh_from_db()
    assert meso.risks != "Changed after loading."
    assert hair.summary == "Changed after loading."
    assert author.user == login


def test_a_scheduled_withdrawal_drops_out_of_cached_pages_at_once(client, db):
    skin = ProcedureFactory(title="Peel")
    other = ProcedureFactory(title="Laser", specialties=list(skin.specialties.all()))
    assert "Laser" in page(client.get(skin.get_absolute_url())).find(id="related-treatments").get_text()
    other.unpublish_at = timezone.now() + datetime.timedelta(seconds=1)
    save_content(other)
    assert "Laser" in client.get(skin.get_absolute_url()).content.decode()  # cached while it is live
    time.sleep(1.2)  # its withdrawal time passes; nothing runs in between
    related = page(client.get(skin.get_absolute_url())).find(id="related-treatments")
    assert related is None or "Laser" not in related.get_text()


def test_recovering_a_deleted_page_is_in_the_audit_log(editor_client, editor):
    procedure = ProcedureFactory(title="Back again")  # made outside the admin: no version yet
    boss = Client()
    boss.force_login(UserFactory(is_staff=True, is_superuser=True))
    boss.post(reverse("admin:procedures_procedure_delete", args=[procedure.pk]), {"post": "yes"})
    version = Version.objects.get_deleted(Procedure).first()
    recover = reverse("admin:procedures_procedure_recover", args=[version.pk])
    response = editor_client.post(recover, form_fields(editor_client.get(recover)), follow=True)
    assert response.status_code == 200, error_messages(response)
    assert AuditEntry.objects.filter(action="recovered", page="Back again", user=editor).exists()


@pytest.mark.parametrize("object_id", ["abc", "1.5", "'", "%00"])
def test_a_review_address_with_a_bad_page_number_is_not_found(reviewer_client, object_id):
    response = reviewer_client.get(f"/admin/procedures/procedure/{object_id}/review/")
    assert response.status_code in (302, 404)  # 302: the admin's own "no such object" redirect


def test_an_add_form_ignores_bad_values_in_its_address(editor_client):
    assert editor_client.get("/admin/procedures/procedure/add/", {"publish_at": "abc", "status": "zzz"}).status_code == 200


def test_text_too_tangled_to_show_is_a_form_error_and_keeps_the_text(editor_client):
    procedure = ProcedureFactory(risks="Fine.")
    tangled = "* 1. " * 600
    response = editor_client.post(
        change_url(procedure), {**form_fields(editor_client.get(change_url(procedure))), "risks": tangled}
    )
    assert any("nested too deeply" in error for error in error_messages(response))
    procedure.refresh_from_db()
    assert procedure.risks == "Fine."


def test_a_new_reference_goes_to_the_end_so_citations_keep_their_numbers(editor_client, shipped_content):
    procedure = Procedure.objects.get(slug="mesotherapy-for-hair-loss")
    before = [r.title for r in procedure.references.all()]
    data = form_fields(editor_client.get(change_url(procedure)))
    row = len(before)
    data.update({f"references-{row}-title": "A new source", f"references-{row}-url": "https://www.nhs.uk/"})
    response = editor_client.post(change_url(procedure), data, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    assert [r.title for r in procedure.references.all()] == [*before, "A new source"]


def test_related_reading_refuses_a_backslash_address(editor_client):
    procedure = ProcedureFactory()
    data = {**form_fields(editor_client.get(change_url(procedure))), "related_reading-0-title": "x"}
    data["related_reading-0-url"] = "/\\evil.example/x"
    response = editor_client.post(change_url(procedure), data)
    assert any("backslash" in error for error in error_messages(response))


def test_feed_summaries_stay_text(client, db):
    ProcedureFactory(summary="<img src=x onerror=alert(1)> & more")
    entry = feedparser.parse(client.get("/feeds/updates/").content).entries[0]
    # A feed reader gets HTML that shows the text as written: the tag as words, not an image.
    assert entry.summary.startswith("&lt;img src=x onerror=alert(1)&gt; &amp; more")


def test_the_sitemap_lists_specialty_pages_and_the_conditions_index(client, shipped_content):
    body = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/specialties/dermatology/" in body and "http://testserver/conditions/" in body


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


def test_a_giant_picture_gets_the_too_many_pixels_message(editor_client):
    response = editor_client.post("/editor/upload/", {"image": upload("huge.png", picture_bytes(14000, 14000))})
    assert "too large to use" in response.json()["error"]


def test_a_review_cannot_be_dated_long_ago(reviewer_client):
    procedure = ProcedureFactory()
    review = reverse("admin:procedures_procedure_review", args=[procedure.pk])
    response = reviewer_client.post(review, {**form_fields(reviewer_client.get(review)), "reviewed_on": "0001-01-01"})
    assert any("That date looks wrong" in error for error in error_messages(response))
