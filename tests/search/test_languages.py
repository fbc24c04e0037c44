"""Search in the patient's language (issue 12): each page is found by its published translation's
words in that language, accents folded, and by its English words where it has no translation
there. Runs on SQLite and PostgreSQL."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.models import ProcedureTranslation, Synonym
from procedures.publishing.content import save_content
from tests.factories import ProcedureFactory, TranslationFactory
from tests.html import page, text


def results(response):
    """(title, address, summary, snippet, lang) of each result, as the patient sees them."""
    assert response.status_code == 200
    found = []
    for item in page(response).select(".results li"):
        link = item.find("h2").find("a")
        snippet = item.select_one(".snippet")
        summary = item.find("p").get_text(strip=True)
        found.append((link.get_text(strip=True), link["href"], summary, snippet, item.get("lang")))
    return found


def titles(response):
    return [title for title, *_ in results(response)]


def mesotherapy(**translation):
    procedure = ProcedureFactory(
        title="Mesotherapy", slug="mesotherapy", summary="Small injections into the skin.", what_it_is="Tiny injections."
    )
    TranslationFactory(
        procedure=procedure,
        title="Mesoterapia",
        summary="Pequeñas inyecciones en la piel.",
        what_it_is="Unas inyecciones diminutas, sin cirugía, para la celulitis.",
        **translation,
    )
    return procedure


def test_a_spanish_search_finds_the_spanish_page_with_its_own_words_and_address(client, db):
    mesotherapy()
    [(title, address, summary, snippet, lang)] = results(client.get("/es/search/", {"q": "celulitis"}))
    assert (title, address, summary, lang) == (
        "Mesoterapia",
        "/es/procedures/mesotherapy/",
        "Pequeñas inyecciones en la piel.",
        None,
    )
    assert snippet.find("mark").get_text() == "celulitis"
    assert titles(client.get("/es/search/", {"q": "mesoterapia"})) == ["Mesoterapia"]


def test_each_language_searches_its_own_words(client, db):
    mesotherapy()
    assert titles(client.get("/search/", {"q": "mesotherapy"})) == ["Mesotherapy"]
    assert titles(client.get("/search/", {"q": "celulitis"})) == []  # the Spanish text is not the English page's
    assert "/procedures/mesotherapy/" in [address for _, address, *_ in results(client.get("/search/", {"q": "injections"}))]


def test_accents_are_folded_either_way(client, db):
    mesotherapy()
    for typed in ("cirugia", "cirugía", "CIRUGIA", "Cirugía"):
        response = client.get("/es/search/", {"q": typed})
        [(title, _, _, snippet, _)] = results(response)
        assert title == "Mesoterapia", typed
        assert snippet.find("mark").get_text() == "cirugía", typed
        assert "(usted escribió" not in text(response) and "(you typed" not in text(response), typed  # no "correction"


def test_a_page_without_a_translation_is_found_in_english_with_its_address_in_the_language(client, db):
    mesotherapy()
    ProcedureFactory(title="Mesotherapy for hair loss", slug="mesotherapy-for-hair-loss", summary="For thinning hair.")
    found = results(client.get("/es/search/", {"q": "hair"}))
    assert [(title, address, lang) for title, address, _, _, lang in found] == [
        ("Mesotherapy for hair loss", "/es/procedures/mesotherapy-for-hair-loss/", "en-GB")
    ]
    # An English word finds the untranslated page; the translated one is read in Spanish there.
    assert titles(client.get("/es/search/", {"q": "mesotherapy"})) == ["Mesotherapy for hair loss"]
    response = client.get("/es/procedures/mesotherapy-for-hair-loss/")
    assert page(response).find(class_="translation-notice") is not None  # shown in English, with its notice


def test_an_arabic_search_finds_the_arabic_translation(client, db):
    procedure = mesotherapy()
    TranslationFactory(
        procedure=procedure,
        language="ar",
        title="الميزوثيرابي",
        summary="حقن صغيرة في الجلد.",
        what_it_is="حقن صغيرة جدا لعلاج السيلوليت.",
        risks="كدمات واحمرار.",
    )
    [(title, address, summary, snippet, lang)] = results(client.get("/ar/search/", {"q": "السيلوليت"}))
    assert (title, address, summary, lang) == ("الميزوثيرابي", "/ar/procedures/mesotherapy/", "حقن صغيرة في الجلد.", None)
    assert snippet.find("mark").get_text() == "السيلوليت"
    assert titles(client.get("/es/search/", {"q": "السيلوليت"})) == []
    assert titles(client.get("/ar/search/", {"q": "الميزوثيرابي"})) == ["الميزوثيرابي"]


def test_draft_translations_are_never_found(client, db):
    procedure = mesotherapy(status=ProcedureTranslation.Status.DRAFT, reviewer=None, last_reviewed=None)
    assert titles(client.get("/es/search/", {"q": "celulitis"})) == []
    assert titles(client.get("/es/search/", {"q": "mesotherapy"})) == ["Mesotherapy"]  # in English meanwhile
    translated = procedure.translations.get()
    translated.status, translated.reviewer, translated.last_reviewed = "published", procedure.reviewer, procedure.last_reviewed
    save_content(translated)
    assert titles(client.get("/es/search/", {"q": "celulitis"})) == ["Mesoterapia"]
    translated.status = "draft"
    save_content(translated)
    assert titles(client.get("/es/search/", {"q": "celulitis"})) == []


def test_a_translation_of_a_draft_page_is_not_found(client, db):
    procedure = mesotherapy()
    procedure.status, procedure.first_published = "draft", None
    save_content(procedure)
    assert titles(client.get("/es/search/", {"q": "celulitis"})) == []


def test_a_deleted_translation_leaves_the_results(superuser_client, db):
    procedure = mesotherapy()
    translated = procedure.translations.get()
    assert titles(superuser_client.get("/es/search/", {"q": "celulitis"})) == ["Mesoterapia"]
    address = f"/admin/procedures/proceduretranslation/{translated.pk}/delete/"
    assert superuser_client.post(address, {"post": "yes"}).status_code == 302
    assert titles(superuser_client.get("/es/search/", {"q": "celulitis"})) == []
    assert titles(superuser_client.get("/es/search/", {"q": "mesotherapy"})) == ["Mesotherapy"]


def test_misspellings_and_synonyms_keep_working_in_every_language(client, db):
    mesotherapy()
    response = client.get("/es/search/", {"q": "mesoterapai"})
    assert titles(response) == ["Mesoterapia"]
    ProcedureFactory(title="Cryolipolysis", what_it_is="Cooling destroys adipose tissue.")
    Synonym.objects.create(slug="fat", words="fat, adipose")  # synonyms are English: they find pages read in English
    assert titles(client.get("/es/search/", {"q": "fat"})) == ["Cryolipolysis"]
    assert "celulitis" in text(client.get("/es/search/", {"q": "celulitiss"}))


def test_rebuilding_the_index_keeps_every_language(client, db):
    mesotherapy()
    call_command("rebuildsearch", stdout=None)
    assert titles(client.get("/es/search/", {"q": "celulitis"})) == ["Mesoterapia"]
    assert titles(client.get("/search/", {"q": "mesotherapy"})) == ["Mesotherapy"]


def test_searching_in_a_language_costs_no_more_queries_than_in_english_with_a_few_pages_or_many(client, db):
    def queries(address):
        client.get(address)  # once to read the words the pages use and the synonyms, kept until they change
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200, address
        return len(captured)

    def add(count):
        for procedure in ProcedureFactory.create_batch(count, what_it_is="A treatment for cellulite."):
            TranslationFactory(procedure=procedure, what_it_is="Un tratamiento para la celulitis.")
        ProcedureFactory.create_batch(count, what_it_is="Cellulite, in English only.")

    in_english = {"/search/?q=cellulite": ["/es/search/?q=celulitis", "/es/search/?q=cellulite", "/ar/search/?q=cellulite"]}
    in_english["/search/?q=celullite"] = ["/es/search/?q=celulitiss"]  # a misspelling, corrected
    for count in (2, 25):
        add(count)
        for english, addresses in in_english.items():
            expected = queries(english)
            assert expected <= 6
            for address in addresses:
                assert queries(address) == expected, address
