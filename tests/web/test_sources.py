"""References and citations, authors' disclosures, and the site's own pages."""

import pytest
from django.test import Client
from django.urls import reverse

from procedures.models import Reference, SitePage
from procedures.publishing.content import save_content
from tests.factories import AuthorFactory, ProcedureFactory
from tests.html import error_messages, form_fields, page, text


def test_references_are_a_numbered_list_and_citations_link_to_them(client, db):
    procedure = ProcedureFactory(risks="Bruising is common.[^2] Scars are rare.[^1]")
    for source in (
        {"title": "Mesotherapy", "publisher": "DermNet", "year": 2018, "url": "https://dermnetnz.org/topics/mesotherapy"},
        {"title": "Position paper", "publisher": "IJDVL", "year": 2011, "doi": "10.4103/0378-6323.77479"},
    ):
        save_content(Reference(procedure=procedure, **source))  # as the admin's form saves each one
    html = page(client.get(procedure.get_absolute_url()))

    items = html.select("#references ol > li")
    assert [item["id"] for item in items] == ["reference-1", "reference-2"]
    assert "Mesotherapy. DermNet, 2018." in " ".join(items[0].get_text().split())
    assert items[1].find("a")["href"] == "https://doi.org/10.4103/0378-6323.77479"

    citations = html.select("#risks-and-side-effects sup.citation a")
    assert [a["href"] for a in citations] == ["#reference-2", "#reference-1"]
    assert citations[0].get_text() == "Reference 2"  # screen readers hear what the number means
    for citation in citations:
        assert html.find(id=citation["href"][1:]), "citation points at a missing reference"


def test_the_shipped_pages_cite_only_references_they_list(client, shipped_content):
    for slug in ("mesotherapy", "mesotherapy-for-hair-loss"):
        html = page(client.get(f"/procedures/{slug}/"))
        citations = html.select("sup.citation a")
        assert citations, slug
        for citation in citations:
            assert html.find(id=citation["href"][1:]), f"{slug}: {citation['href']}"


def test_citing_a_reference_the_page_does_not_list_is_a_form_error(editor_client):
    procedure = ProcedureFactory(risks="Bruising.")
    change = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    data = form_fields(editor_client.get(change))
    data.update({"risks": "Bruising.[^1] Scars.[^3]", "references-0-title": "Only one source", "references-0-position": "0"})
    response = editor_client.post(change, data)
    assert any("cites reference [^3], but the page lists 1 reference" in error for error in error_messages(response))
    procedure.refresh_from_db()
    assert procedure.risks == "Bruising."


def test_an_editor_adds_a_reference_and_cites_it(editor_client):
    procedure = ProcedureFactory(risks="Bruising.")
    change = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    data = form_fields(editor_client.get(change))
    data.update(
        {
            "risks": "Bruising.[^1]",
            "references-0-title": "Hair loss",
            "references-0-publisher": "NHS",
            "references-0-url": "https://www.nhs.uk/conditions/hair-loss/",
            "references-0-position": "0",
        }
    )
    response = editor_client.post(change, data, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    html = page(Client().get(procedure.get_absolute_url()))
    assert html.select_one("#risks-and-side-effects sup.citation a")["href"] == "#reference-1"
    assert html.select_one("#reference-1 a")["href"] == "https://www.nhs.uk/conditions/hair-loss/"


def test_a_bad_doi_is_refused(editor_client):
    procedure = ProcedureFactory()
    change = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    data = {**form_fields(editor_client.get(change)), "references-0-title": "Paper", "references-0-doi": "javascript:alert(1)"}
    response = editor_client.post(change, data)
    assert any("A DOI looks like" in error for error in error_messages(response))


@pytest.mark.parametrize("disclosure", ["None declared.", "Paid speaker for Acme Aesthetics Ltd (2025)."])
def test_disclosures_show_in_the_author_box_and_on_the_author_page(client, db, disclosure):
    author = AuthorFactory(disclosure=disclosure)
    procedure = ProcedureFactory(author=author)
    box = page(client.get(procedure.get_absolute_url())).find(id="about-the-author")
    assert f"Conflicts of interest: {disclosure}" in " ".join(box.get_text().split())
    assert disclosure in text(client.get(author.get_absolute_url()))


def test_the_shipped_author_declares_no_conflicts_explicitly(client, shipped_content):
    assert "Conflicts of interest None declared." in text(client.get("/authors/anand-lakhkar/"))


def test_site_pages_are_linked_from_every_footer(client, shipped_content):
    for url in ("/", "/procedures/mesotherapy/", "/glossary/", "/no-such-page-at-all/"):
        footer = page(client.get(url)).find("footer")
        links = {a.get_text(strip=True): a["href"] for a in footer.find_all("a")}
        assert links["About our content"] == "/about-our-content/"
        assert links["Privacy"] == "/privacy/"
    about = text(client.get("/about-our-content/"))
    assert "medical review" in about and "no adverts" in about
    assert "search" in text(client.get("/privacy/"))


def test_editors_edit_site_pages_in_the_admin(editor_client, shipped_content):
    privacy = SitePage.objects.get(slug="privacy")
    change = reverse("admin:procedures_sitepage_change", args=[privacy.pk])
    data = {**form_fields(editor_client.get(change)), "body": "We keep **nothing** about you."}
    response = editor_client.post(change, data, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    assert page(Client().get("/privacy/")).find("strong").get_text() == "nothing"


@pytest.mark.parametrize("slug", ["procedures", "admin", "glossary", "authors"])
def test_a_site_page_cannot_take_over_another_address(editor_client, slug):
    response = editor_client.post(reverse("admin:procedures_sitepage_add"), {"title": "Oops", "slug": slug, "body": "x"})
    assert any("already another part of the site" in error for error in error_messages(response))
    assert not SitePage.objects.filter(slug=slug).exists()
