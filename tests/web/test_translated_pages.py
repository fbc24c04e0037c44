"""A procedure page in a language it has a published translation in (issue 12): the
translation's words, in that language, as its own page for search engines; drafts never
shown; a calm notice while the translation has not caught up with the English page."""

from django.test import Client

from procedures.models import ProcedureTranslation
from procedures.publishing.content import save_content
from tests.factories import DisclaimerFactory, ProcedureFactory, TranslationFactory
from tests.html import page, text


def alternates(response):
    html = page(response)
    links = {link["hreflang"]: link["href"] for link in html.find_all("link", rel="alternate", hreflang=True)}
    return links, html.find("link", rel="canonical")["href"]


def test_a_published_translation_is_the_page_in_its_language(client, db):
    procedure = ProcedureFactory(title="Mesotherapy", slug="mesotherapy")
    TranslationFactory(procedure=procedure, title="Mesoterapia", summary="Inyecciones pequeñas en la piel.")
    response = client.get("/es/procedures/mesotherapy/")
    html = page(response)
    assert response.status_code == 200
    assert (html.find("html")["lang"], html.find("html")["dir"]) == ("es", "ltr")
    assert html.find("h1").get_text(strip=True) == "Mesoterapia"
    assert html.find("title").get_text().startswith("Mesoterapia")
    assert "Es un tratamiento." in text(response) and "It is a treatment." not in text(response)
    assert html.find(class_="translation-notice") is None
    [article] = html.select("main article.procedure")
    assert article.parent.name == "main"  # not marked as text in another language
    assert html.find(id="risks-and-side-effects-title").get_text(strip=True) == "Riesgos y efectos secundarios"

    links, canonical = alternates(response)
    assert canonical == "http://testserver/es/procedures/mesotherapy/"
    assert links == {
        "en-gb": "http://testserver/procedures/mesotherapy/",
        "es": "http://testserver/es/procedures/mesotherapy/",
        "x-default": "http://testserver/procedures/mesotherapy/",
    }
    assert alternates(client.get("/procedures/mesotherapy/"))[0] == links  # the English page names it too


def test_a_language_without_a_translation_still_gets_the_english_text_with_its_notice(client, db):
    procedure = ProcedureFactory(slug="mesotherapy")
    TranslationFactory(procedure=procedure)
    response = client.get("/ar/procedures/mesotherapy/")
    html = page(response)
    assert html.find(class_="translation-notice") is not None
    assert "It is a treatment." in text(response)
    assert alternates(response)[1] == "http://testserver/procedures/mesotherapy/"


def test_a_draft_translation_changes_nothing_for_patients(client, db):
    procedure = ProcedureFactory(slug="mesotherapy")
    before = client.get("/es/procedures/mesotherapy/")
    TranslationFactory(procedure=procedure, status=ProcedureTranslation.Status.DRAFT, reviewer=None, last_reviewed=None)
    after = Client().get("/es/procedures/mesotherapy/")
    assert "Es un tratamiento." not in text(after)
    assert page(after).find(class_="translation-notice") is not None
    assert alternates(after) == alternates(before)


def test_saving_a_translation_reaches_the_cached_page(client, db):
    translated = TranslationFactory(procedure=ProcedureFactory(slug="mesotherapy"), title="Mesoterapia")
    assert page(client.get("/es/procedures/mesotherapy/")).find("h1").get_text(strip=True) == "Mesoterapia"
    assert client.get("/es/procedures/mesotherapy/")["X-Cache"] == "hit"
    translated.title = "Mesoterapia facial"
    save_content(translated)
    assert page(client.get("/es/procedures/mesotherapy/")).find("h1").get_text(strip=True) == "Mesoterapia facial"


def test_a_translation_behind_the_english_page_says_so_calmly(client, db):
    procedure = ProcedureFactory(slug="mesotherapy")
    TranslationFactory(procedure=procedure)
    assert page(client.get("/es/procedures/mesotherapy/")).find(class_="translation-behind") is None
    procedure.risks = "Bruising, redness and, rarely, infection."
    save_content(procedure, change_note="Added the risk of infection")
    html = page(client.get("/es/procedures/mesotherapy/"))
    notice = html.find(class_="translation-behind")
    assert notice is not None and "La página en" in notice.get_text()
    assert notice.find("time")["datetime"] == procedure.last_updated.isoformat()
    assert notice.find("a")["href"] == "/procedures/mesotherapy/"
    assert "Es un tratamiento." in html.get_text()  # still the translation, with its notice


def test_the_handout_and_embed_card_are_in_the_translations_language(client, db):
    TranslationFactory(procedure=ProcedureFactory(slug="mesotherapy"), title="Mesoterapia")
    for address in ("/es/procedures/mesotherapy/print/", "/es/procedures/mesotherapy/embed/"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert "Mesoterapia" in text(response), address


def test_a_translated_page_is_served_with_a_fixed_small_number_of_queries(client, db, django_assert_max_num_queries):
    DisclaimerFactory(is_default=True)
    TranslationFactory(procedure=ProcedureFactory(slug="mesotherapy"))
    with django_assert_max_num_queries(6):
        assert client.get("/es/procedures/mesotherapy/").status_code == 200


def test_a_translated_page_names_its_own_reviewer_and_translator(client, db):
    """The medical review patients see is the review of the words they read."""
    procedure = ProcedureFactory(slug="mesotherapy")
    translated = TranslationFactory(procedure=procedure, translated_by__name="Lucía Pérez", reviewer__name="Dra. Ana Ruiz")
    lines = [line.get_text(" ", strip=True) for line in page(client.get("/es/procedures/mesotherapy/")).select(".review-line")]
    assert any("Dra. Ana Ruiz" in line for line in lines) and not any(procedure.reviewer.name in line for line in lines)
    assert any(line.startswith("Traducido por Lucía Pérez") for line in lines)
    assert translated.reviewer.name not in text(client.get("/procedures/mesotherapy/"))
