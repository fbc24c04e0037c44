"""Medical words explained on the page, on first use, without JavaScript."""

from django.test import Client
from django.urls import reverse

from procedures.models import GlossaryTerm
from procedures.text.markdown import Glossary, render_markdown
from tests.factories import ProcedureFactory
from tests.html import form_fields, page, text


def test_only_the_first_use_of_a_term_is_linked():
    glossary = Glossary([("alopecia", ["alopecia", "alopecias"])])
    first = render_markdown("Alopecia means hair loss. Some alopecia is patchy.", glossary)
    second = render_markdown("Alopecias vary.", glossary)
    assert first.count('class="glossary-term"') == 1
    assert '<a class="glossary-term" href="#term-alopecia"' in first and ">Alopecia</a>" in first
    assert "glossary-term" not in second  # first use is per page, across sections


def test_terms_are_not_linked_inside_headings_links_or_code():
    glossary = Glossary([("alopecia", ["alopecia"])])
    html = render_markdown("# Alopecia\n\n[alopecia](/x/) `alopecia`\n\nNow alopecia.", glossary)
    assert html.count("glossary-term") == 1 and "Now <a" in html


def test_whole_words_only():
    html = render_markdown("Enzymes and enzymatic things.", Glossary([("enzyme", ["enzyme"])]))
    assert "glossary-term" not in html


def test_the_page_links_first_uses_to_definitions_on_the_same_page(client, db):
    GlossaryTerm.objects.create(term="Alopecia", slug="alopecia", definition="The medical name for hair loss.")
    GlossaryTerm.objects.create(term="Minoxidil", slug="minoxidil", definition="A hair loss medicine.")
    GlossaryTerm.objects.create(term="Cellulite", slug="cellulite", definition="Dimpled skin.")
    procedure = ProcedureFactory(what_it_is="It treats alopecia.", risks="Alopecia may return. Minoxidil can help.")
    html = page(client.get(procedure.get_absolute_url()))
    links = html.select("a.glossary-term")
    assert [(a.get_text(), a["href"]) for a in links] == [("alopecia", "#term-alopecia"), ("Minoxidil", "#term-minoxidil")]
    definitions = html.find(id="words-explained")
    assert [dt["id"] for dt in definitions.find_all("dt")] == ["term-alopecia", "term-minoxidil"]  # not cellulite
    assert definitions.find("dt", id="term-alopecia").dfn.get_text() == "Alopecia"
    assert "The medical name for hair loss." in definitions.get_text()


def test_the_glossary_page_lists_every_term(client, shipped_content):
    html = page(client.get("/glossary/"))
    assert len(html.h1.find_all_next("dt")) == GlossaryTerm.objects.count() >= 19
    for slug in ("alopecia", "collagenase", "hyaluronidase", "minoxidil", "finasteride", "cellulite"):
        assert html.find("dt", id=f"term-{slug}"), slug


def test_the_shipped_pages_explain_their_terms(client, shipped_content):
    html = page(client.get("/procedures/mesotherapy-for-hair-loss/"))
    for link in html.select("a.glossary-term"):
        assert html.find(id=link["href"][1:]), link
    assert html.find("dt", id="term-minoxidil")


def test_editing_the_glossary_updates_every_page(editor_client, db):
    procedure = ProcedureFactory(what_it_is="It helps with cellulite.")
    assert "glossary-term" not in Client().get(procedure.get_absolute_url()).content.decode()
    add = reverse("admin:procedures_glossaryterm_add")
    with_definition = {
        **form_fields(editor_client.get(add)),
        "term": "Cellulite",
        "slug": "cellulite",
        "also_matches": "[]",
        "definition": "Dimpled skin.",
    }
    response = editor_client.post(add, with_definition, follow=True)
    assert "was added successfully" in text(response)
    html = page(Client().get(procedure.get_absolute_url()))
    assert html.select_one("a.glossary-term")["href"] == "#term-cellulite"
    assert "Dimpled skin." in html.find(id="words-explained").get_text()
