"""Lists and reuses of pages follow the language (issue 12): the A–Z in Spanish and Arabic order
under the letters of their alphabets, the feed per language, oEmbed for a /es/ address, and
JSON-LD naming the language and the translation's provenance."""

import json

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from procedures.models import Procedure, ProcedureTranslation
from procedures.publishing.content import save_content
from procedures.web import views
from tests.factories import ProcedureFactory, SpecialtyFactory, TranslationFactory
from tests.html import page, text


def cards(response):
    return [a.get_text(strip=True) for a in page(response).select(".card__title a")]


def letter_index(response):
    """(letter, its link or None) as the letter navigation shows them."""
    nav = page(response).select_one("ul.letter-index")
    shown = []
    for item in nav.find_all("li", recursive=False):
        link = item.find("a")
        name = (link or item).find(string=True, recursive=True).strip()
        shown.append((name, link["href"] if link else None))
    return shown


def translated(english, spanish=None, arabic=None, **kwargs):
    procedure = ProcedureFactory(title=english, slug=slugify(english), **kwargs)
    if spanish:
        TranslationFactory(procedure=procedure, title=spanish, summary=f"Resumen de {spanish}.")
    if arabic:
        TranslationFactory(procedure=procedure, language="ar", title=arabic, summary=f"ملخص {arabic}.")
    return procedure


@pytest.fixture
def treatments(db):
    dermatology = SpecialtyFactory(name="Dermatology", slug="dermatology")
    translated("Abdominoplasty", "Abdominoplastia", "شد البطن", specialties=[dermatology])
    translated("Hyaluronic acid filler", "Ácido hialurónico", "الحقن بالهيالورونيك", specialties=[dermatology])
    translated("Yam extract cream", "Ñame, crema de extracto", "كريم مستخلص اليام", specialties=[dermatology])
    translated("Nail fungus laser", "Nariz, relleno", "أظافر، ليزر الفطريات", specialties=[dermatology])
    translated("Botox", None, "بوتوكس", specialties=[dermatology])
    translated("Microneedling", specialties=[dermatology])  # in English only
    return dermatology


# The A–Z ----------------------------------------------------------------------------------


def test_the_english_a_to_z_is_unchanged(client, treatments):
    response = client.get("/procedures/")
    assert cards(response) == [
        "Abdominoplasty",
        "Botox",
        "Hyaluronic acid filler",
        "Microneedling",
        "Nail fungus laser",
        "Yam extract cream",
    ]
    assert [name for name, _ in letter_index(response)] == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_the_spanish_a_to_z_lists_spanish_titles_in_spanish_order(client, treatments):
    response = client.get("/es/procedures/")
    assert response.status_code == 200
    # Accents folded (Á with A), ñ a letter after n; a page without a translation by its English title.
    assert cards(response) == [
        "Abdominoplastia",
        "Ácido hialurónico",
        "Botox",
        "Microneedling",
        "Nariz, relleno",
        "Ñame, crema de extracto",
    ]
    letters = letter_index(response)
    assert [name for name, _ in letters] == [*"ABCDEFGHIJKLMN", "Ñ", *"OPQRSTUVWXYZ"]
    assert dict(letters)["Ñ"] == "#letter-Ñ" and dict(letters)["H"] is None
    html = page(response)
    assert [a.get_text(strip=True) for a in html.find(id="letter-Ñ").find_parent("section").select(".card__title a")] == [
        "Ñame, crema de extracto"
    ]
    assert html.select_one(".card__title a")["href"] == "/es/procedures/abdominoplasty/"
    # The English title on a Spanish page is marked as English.
    [english_card] = [card for card in html.select("article.card") if "Microneedling" in card.get_text()]
    assert (english_card["lang"], english_card["dir"]) == ("en-GB", "ltr")
    spanish_card = html.select("article.card")[0]
    assert not spanish_card.has_attr("lang") and "Resumen de Abdominoplastia." in spanish_card.get_text()


def test_the_arabic_a_to_z_uses_the_arabic_alphabet(client, treatments):
    response = client.get("/ar/procedures/")
    assert response.status_code == 200
    # أ is filed as ا; the article ال is not filed; English titles after the Arabic letters.
    assert cards(response) == [
        "أظافر، ليزر الفطريات",
        "بوتوكس",
        "الحقن بالهيالورونيك",
        "شد البطن",
        "كريم مستخلص اليام",
        "Microneedling",
    ]
    letters = [name for name, _ in letter_index(response)]
    assert letters == [*"ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "M"]
    html = page(response)
    assert [a.get_text(strip=True) for a in html.find(id="letter-ح").find_parent("section").select(".card__title a")] == [
        "الحقن بالهيالورونيك"
    ]
    assert html.find(id="letter-M") is not None and html.find(id="letter-ل") is None


def test_the_spanish_a_to_z_keeps_the_specialty_chosen(client, treatments):
    ProcedureFactory(title="Arm lift", specialties=[SpecialtyFactory(slug="surgery")])
    assert "Arm lift" not in cards(client.get("/es/procedures/", {"specialty": "dermatology"}))
    assert "Arm lift" in cards(client.get("/es/procedures/", {"specialty": "surgery"}))


def test_past_the_limit_each_spanish_letter_has_its_own_page(client, treatments, settings):
    settings.A_TO_Z_ON_ONE_PAGE = 3
    response = client.get("/es/procedures/")
    assert cards(response) == []
    letters = dict(letter_index(response))
    assert letters["Ñ"] == "/es/procedures/letters/%C3%B1/" and letters["N"] == "/es/procedures/letters/n/"
    assert cards(client.get("/es/procedures/letters/%C3%B1/")) == ["Ñame, crema de extracto"]
    assert cards(client.get("/es/procedures/letters/a/")) == ["Abdominoplastia", "Ácido hialurónico"]
    assert cards(client.get("/es/procedures/letters/m/")) == ["Microneedling"]
    capital = client.get("/es/procedures/letters/%C3%91/", {"specialty": "dermatology"})
    assert (capital.status_code, capital["Location"]) == (301, "/es/procedures/letters/%C3%B1/?specialty=dermatology")
    assert client.get("/procedures/letters/%C3%B1/").status_code == 404  # English has no ñ
    arabic = client.get("/ar/procedures/letters/%D8%A8/")  # ب
    assert cards(arabic) == ["بوتوكس"]
    assert client.get("/ar/procedures/letters/m/").status_code == 200


def test_a_letter_page_in_spanish_is_listed_a_page_at_a_time(client, db, settings, monkeypatch):
    monkeypatch.setattr(views, "PROCEDURES_PER_PAGE", 2)
    settings.A_TO_Z_ON_ONE_PAGE = 1
    for english, spanish in [("Peel", "Peeling"), ("Pen", "Peña"), ("Pena", None), ("Penz", None)]:
        translated(english, spanish)
    assert cards(client.get("/es/procedures/letters/p/")) == ["Peeling", "Pena"]
    assert cards(client.get("/es/procedures/letters/p/", {"page": 2})) == ["Penz", "Peña"]
    assert client.get("/es/procedures/letters/p/", {"page": 3}).status_code == 404


def test_a_translation_published_or_renamed_reaches_the_cached_a_to_z(client, treatments):
    assert "Microneedling" in cards(client.get("/es/procedures/"))
    microneedling = Procedure.objects.get(title="Microneedling")
    spanish = TranslationFactory(procedure=microneedling, title="Micropunción", status=ProcedureTranslation.Status.DRAFT)
    assert "Micropunción" not in cards(client.get("/es/procedures/"))
    spanish.status = ProcedureTranslation.Status.PUBLISHED
    save_content(spanish)
    assert "Micropunción" in cards(client.get("/es/procedures/"))
    spanish.title = "Microagujas"
    save_content(spanish)
    assert "Microagujas" in cards(client.get("/es/procedures/"))


def queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200, address
    return len(captured)


def test_the_a_to_z_costs_the_same_queries_in_every_language(client, treatments, settings):
    for n in range(20):
        translated(f"Treatment {n:02}", f"Tratamiento {n:02}")
    english = queries(client, "/procedures/")
    assert queries(client, "/es/procedures/") == english
    assert queries(client, "/ar/procedures/") == english
    settings.A_TO_Z_ON_ONE_PAGE = 3
    assert queries(client, "/es/procedures/?specialty=dermatology") == queries(client, "/procedures/?specialty=dermatology")
    assert queries(client, "/es/procedures/letters/t/") == queries(client, "/procedures/letters/t/")


# Feeds ------------------------------------------------------------------------------------


def test_the_spanish_feed_lists_spanish_titles_and_links(client, treatments):
    response = client.get("/es/feeds/updates/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.language == "es"
    assert feed.feed.title == "mesocare: páginas nuevas y actualizadas"
    entries = {entry.title: entry for entry in feed.entries}
    assert entries["Abdominoplastia"].link == "http://testserver/es/procedures/abdominoplasty/"
    assert entries["Abdominoplastia"].summary == "Resumen de Abdominoplastia."
    assert entries["Microneedling"].link == "http://testserver/es/procedures/microneedling/"  # English, notice in Spanish
    assert "Abdominoplasty" not in entries
    assert page(client.get("/es/procedures/")).find("link", type="application/atom+xml")["href"] == "/es/feeds/updates/"


def test_the_english_feed_is_unchanged(client, treatments):
    feed = feedparser.parse(client.get("/feeds/updates/").content)
    assert feed.feed.language == "en-gb" and feed.feed.title == "mesocare: new and updated pages"
    assert {entry.title for entry in feed.entries} >= {"Abdominoplasty", "Microneedling"}
    assert not any("Abdominoplastia" in entry.title for entry in feed.entries)


# oEmbed, embed, print ---------------------------------------------------------------------


def test_oembed_for_a_spanish_address_gives_the_spanish_card(client, treatments):
    data = client.get("/oembed/", {"url": "http://testserver/es/procedures/abdominoplasty/", "format": "json"}).json()
    assert data["title"] == "Abdominoplastia"
    assert 'src="http://testserver/es/procedures/abdominoplasty/embed/"' in data["html"]
    assert "mesocare: Abdominoplastia" in data["html"]
    english = client.get("/oembed/", {"url": "http://testserver/procedures/abdominoplasty/"}).json()
    assert english["title"] == "Abdominoplasty" and "/es/" not in english["html"]
    # No Spanish translation: the English title, and the card at the Spanish address.
    untranslated = client.get("/oembed/", {"url": "http://testserver/es/procedures/microneedling/"}).json()
    assert untranslated["title"] == "Microneedling"
    assert "/es/procedures/microneedling/embed/" in untranslated["html"]


def test_the_embed_and_handout_of_a_spanish_address_are_in_spanish(client, treatments):
    for address in ("/es/procedures/abdominoplasty/embed/", "/es/procedures/abdominoplasty/print/"):
        html = page(client.get(address))
        assert html.find("html")["lang"] == "es", address
        assert "Abdominoplastia" in html.find("h1").get_text(), address
    html = page(client.get("/es/procedures/microneedling/embed/"))  # no translation: the English card
    assert html.find("html")["lang"] == "en-GB" and "Microneedling" in text(client.get("/es/procedures/microneedling/embed/"))


# JSON-LD ----------------------------------------------------------------------------------


def json_ld(response):
    blocks = [json.loads(script.string) for script in page(response).find_all("script", type="application/ld+json")]
    [data] = [block for block in blocks if block.get("@type") == "MedicalWebPage"]
    return data


def test_json_ld_names_the_language_and_the_translation(client, treatments):
    spanish = json_ld(client.get("/es/procedures/abdominoplasty/"))
    assert spanish["inLanguage"] == "es" and spanish["name"] == "Abdominoplastia"
    assert spanish["url"] == "http://testserver/es/procedures/abdominoplasty/"
    translation = ProcedureTranslation.objects.get(procedure__slug="abdominoplasty", language="es")
    assert spanish["translator"]["name"] == translation.translated_by.name
    assert spanish["reviewedBy"]["name"] == translation.reviewer.name
    assert spanish["translationOfWork"] == {
        "@type": "MedicalWebPage",
        "url": "http://testserver/procedures/abdominoplasty/",
        "inLanguage": "en-GB",
    }
    english = json_ld(client.get("/procedures/abdominoplasty/"))
    assert english["inLanguage"] == "en-GB" and "translationOfWork" not in english
    untranslated = json_ld(client.get("/es/procedures/microneedling/"))  # shown in English
    assert untranslated["inLanguage"] == "en-GB" and untranslated["url"] == "http://testserver/procedures/microneedling/"
