"""The less common ways a page changes — a restore, a recovered page, an address given back,
a code added, a change inside a transaction that partly failed — each reach the cached answers."""

import reversion
from django.db import transaction
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from procedures.models import Procedure, ProcedureCode
from procedures.publishing import revisions
from procedures.publishing.content import content_rows_saved, delete_content, save_content
from tests.factories import ProcedureFactory, SpecialtyFactory, UserFactory
from tests.helpers import change_url
from tests.html import form_fields


def kept_version(page):
    with reversion.create_revision():
        reversion.add_to_revision(page)
    return Version.objects.get_for_object(page).first()


def administrator():
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_restore_to_an_earlier_address_leaves_no_old_page_at_the_later_one(client, db):
    page = ProcedureFactory(title="Alpha", slug="alpha", risks="Old risk text.")
    version = kept_version(page)
    page.slug, page.risks = "beta", "New risk text at beta."
    save_content(page)
    assert "New risk text at beta." in client.get("/procedures/beta/").content.decode()
    revisions.restore(version, administrator())
    assert client.get("/procedures/beta/")["Location"] == "/procedures/alpha/"
    actions = set(page.audit_entries.values_list("action", flat=True))
    assert {"address", "restored"} <= actions  # the restore's change of address is in the audit log too


def test_a_restored_deleted_page_is_back_in_the_lists(client, db):
    ProcedureFactory(title="Alpha stays")
    page = ProcedureFactory(title="Bravo comes back", slug="bravo")
    version = kept_version(page)
    delete_content(page)
    assert "Bravo comes back" not in client.get("/procedures/").content.decode()
    revisions.restore(version, administrator())
    assert "Bravo comes back" in client.get("/procedures/").content.decode()


def test_a_page_recovered_in_the_admin_is_back_in_the_lists(superuser_client):
    public = Client()
    page = ProcedureFactory(title="Bravo comes back", slug="bravo")
    superuser_client.post(change_url(page), form_fields(superuser_client.get(change_url(page))))
    superuser_client.post(reverse("admin:procedures_procedure_delete", args=[page.pk]), {"post": "yes"})
    assert "Bravo comes back" not in public.get("/procedures/").content.decode()
    recover = reverse("admin:procedures_procedure_recover", args=[Version.objects.get_deleted(Procedure).first().pk])
    assert superuser_client.post(recover, form_fields(superuser_client.get(recover))).status_code == 302
    assert "Bravo comes back" in public.get("/procedures/").content.decode()


def test_an_address_given_back_shows_in_the_lists(client, db):
    page = ProcedureFactory(title="Alpha", slug="alpha")
    page.slug = "beta"
    save_content(page)
    assert 'href="/procedures/beta/"' in client.get("/procedures/").content.decode()
    page.slug = "alpha"
    save_content(page)
    assert 'href="/procedures/alpha/"' in client.get("/procedures/").content.decode()


def test_a_code_added_to_a_page_changes_the_code_lookup(client, db):
    page = ProcedureFactory(title="Coded")
    address = "/api/v1/lookup/?code=Z41.1&system=ICD-10-CM"
    first = client.get(address)
    assert first.json()["results"] == []
    ProcedureCode.objects.create(procedure=page, system="2.16.840.1.113883.6.90", code="Z41.1")
    content_rows_saved(page)  # as the admin does once a page's rows are saved
    again = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and [item["slug"] for item in again.json()["results"]] == [page.slug]


def test_a_change_after_a_failed_part_of_the_same_transaction_still_counts(client, db):
    page, other = ProcedureFactory(slug="x", risks="Old."), ProcedureFactory(slug="y")
    assert "Old." in client.get("/procedures/x/").content.decode()
    with transaction.atomic():
        save_content(other)  # an earlier change in the same transaction
        try:
            with transaction.atomic():
                page.risks = "An attempt that fails."
                save_content(page)
                raise RuntimeError
        except RuntimeError:
            pass
        page.refresh_from_db()
        page.risks = "New."
        save_content(page)
    assert "New." in client.get("/procedures/x/").content.decode()


def test_links_in_a_cached_list_carry_nothing_a_first_visitor_added(db, settings):
    specialty = SpecialtyFactory(slug="derm")
    ProcedureFactory.create_batch(101, specialties=[specialty])
    Client().get("/specialties/derm/", {"page": 2, "utm_source": "somewhere"})
    assert "utm_source" not in Client().get("/specialties/derm/", {"page": 2}).content.decode()
    Client().get("/api/v1/procedures/", {"page": 2, "utm_source": "somewhere"})
    links = Client().get("/api/v1/procedures/", {"page": 2}).json()
    assert "utm_source" not in f"{links['next']} {links['previous']}"


def test_the_api_schema_follows_what_each_client_accepts(db):
    as_json = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    as_yaml = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert as_json["Content-Type"] != as_yaml["Content-Type"]
