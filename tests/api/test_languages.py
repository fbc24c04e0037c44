"""The API in the patient's language (issue 12): ?lang= or Accept-Language gives each record in
that language where the page has a published translation, else in English; every record says
which, with the translation's provenance; cached answers and ETags never cross languages."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from procedures.models import CodeSystem, ProcedureCode, ProcedureTranslation
from procedures.publishing.content import save_content
from tests.factories import ProcedureFactory, TranslationFactory


@pytest.fixture
def api():
    return Client(HTTP_ACCEPT="application/json")


@pytest.fixture
def pages(db):
    """Mesotherapy with a published Spanish translation; Microneedling with none."""
    mesotherapy = ProcedureFactory(title="Mesotherapy", slug="mesotherapy")
    ProcedureCode.objects.create(procedure=mesotherapy, system=CodeSystem.CPT, code="96372")
    save_content(mesotherapy)
    TranslationFactory(
        procedure=mesotherapy,
        title="Mesoterapia",
        summary="Inyecciones pequeñas en la piel.",
        translated_by__name="Lucía Pérez",
        reviewer__name="Dra. Ana Ruiz",
        translated_at=datetime.date(2026, 11, 20),
        last_reviewed=datetime.date(2026, 11, 25),
    )
    ProcedureFactory(title="Microneedling", slug="microneedling")
    return mesotherapy


def records(response):
    return {record["slug"]: record for record in response.json()["results"]}


def test_lang_gives_each_record_in_that_language_with_its_provenance(api, pages):
    response = api.get("/api/v1/procedures/", {"lang": "es"})
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]
    translated, untranslated = records(response)["mesotherapy"], records(response)["microneedling"]

    assert (translated["title"], translated["summary"], translated["language"]) == (
        "Mesoterapia",
        "Inyecciones pequeñas en la piel.",
        "es",
    )
    assert translated["url"] == "http://testserver/es/procedures/mesotherapy/"
    assert translated["api_url"] == "http://testserver/api/v1/procedures/mesotherapy/?lang=es"
    provenance = translated["translation"]
    assert provenance["translated_by"] == "Lucía Pérez"
    assert provenance["reviewer"] == "Dra. Ana Ruiz"
    assert (provenance["translated_at"], provenance["last_reviewed"]) == ("2026-11-20", "2026-11-25")
    assert provenance["translated_from_version"] == pages.edit_version
    assert provenance["translated_from_date"] == timezone.localdate(pages.modified_at).isoformat()
    assert provenance["out_of_date_since"] is None
    assert provenance["original_url"] == "http://testserver/procedures/mesotherapy/"

    # No Spanish translation: the English record, saying so.
    assert (untranslated["title"], untranslated["language"], untranslated["translation"]) == ("Microneedling", "en-GB", None)
    assert untranslated["url"] == "http://testserver/procedures/microneedling/"


def test_the_detail_in_spanish_has_the_translations_words_sections_and_attribution(api, pages):
    record = api.get("/api/v1/procedures/mesotherapy/", {"lang": "es"}).json()
    assert record["language"] == "es" and record["title"] == "Mesoterapia"
    sections = {section["key"]: section for section in record["sections"]}
    assert sections["what_it_is"]["markdown"] == "Es un tratamiento."
    assert "Es un tratamiento." in sections["what_it_is"]["html"]
    assert sections["risks"]["title"] == "Riesgos y efectos secundarios"
    assert sections["risks"]["anchor"] == "risks-and-side-effects"  # the same in every language
    assert record["reviewer"]["name"] == "Dra. Ana Ruiz"  # who checked these words
    assert record["translation"]["translated_by"] == "Lucía Pérez"
    assert record["attribution"].startswith("«Mesoterapia», de ")
    assert "Lucía Pérez" in record["attribution"] and "/es/procedures/mesotherapy/" in record["attribution"]

    english = api.get("/api/v1/procedures/mesotherapy/").json()
    assert (english["language"], english["translation"], english["title"]) == ("en-GB", None, "Mesotherapy")
    assert {section["key"]: section["title"] for section in english["sections"]}["risks"] == "Risks and side effects"
    assert english["attribution"].startswith("“Mesotherapy”, by ")


def test_accept_language_chooses_the_language_and_lang_wins_over_it(api, pages):
    spanish = api.get("/api/v1/procedures/mesotherapy/", HTTP_ACCEPT_LANGUAGE="es-MX, en;q=0.5")
    assert spanish.json()["title"] == "Mesoterapia" and spanish["Content-Language"] == "es"
    english = api.get("/api/v1/procedures/mesotherapy/", {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="es")
    assert english.json()["title"] == "Mesotherapy" and english["Content-Language"] == "en-GB"
    assert api.get("/api/v1/procedures/mesotherapy/", {"lang": "ES"}).json()["title"] == "Mesoterapia"


@pytest.mark.parametrize(
    ("params", "accept_language"),
    [
        ({"lang": "xx"}, "es"),  # ?lang= wins, even with a language the site does not have
        ({"lang": "de"}, ""),
        ({"lang": "ar"}, ""),  # a language the site has, but no translation into it
        ({"lang": "\u00e9s;;--"}, ""),
        ({"lang": "e" * 600}, ""),
        ({}, "de-DE, fr;q=0.8"),
        ({}, "*"),
        ({}, "not a header;;q=x"),
        ({}, "es;q=" + "9" * 600),
    ],
)
def test_languages_the_site_cannot_give_fall_back_to_english_never_an_error(api, pages, params, accept_language):
    response = api.get("/api/v1/procedures/mesotherapy/", params, HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    assert response.json()["language"] == "en-GB" and response.json()["translation"] is None


def test_a_draft_translation_is_never_given(api, pages):
    TranslationFactory(
        procedure=ProcedureFactory(slug="microneedling-2", title="Microneedling 2"),
        title="Micropunción",
        status=ProcedureTranslation.Status.DRAFT,
        reviewer=None,
        last_reviewed=None,
    )
    response = api.get("/api/v1/procedures/", {"lang": "es"})
    assert records(response)["microneedling-2"]["title"] == "Microneedling 2"
    assert "Micropunción" not in response.content.decode()


def test_lookup_answers_in_the_language_asked_for(api, pages):
    response = api.get("/api/v1/lookup/", {"code": "96372", "system": "CPT"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"] == "es" and "Accept-Language" in response["Vary"]
    [record] = response.json()["results"]
    assert (record["title"], record["language"]) == ("Mesoterapia", "es")


def test_cached_answers_and_etags_never_cross_languages(api, pages):
    english = api.get("/api/v1/procedures/")
    spanish = api.get("/api/v1/procedures/", HTTP_ACCEPT_LANGUAGE="es")
    assert english["ETag"] != spanish["ETag"]
    assert records(api.get("/api/v1/procedures/"))["mesotherapy"]["title"] == "Mesotherapy"
    again = api.get("/api/v1/procedures/", {"lang": "es"})  # the same answer however Spanish was asked for
    assert again["X-Cache"] == "hit" and again["ETag"] == spanish["ETag"]
    assert records(again)["mesotherapy"]["title"] == "Mesoterapia"

    # A Spanish copy is current for Spanish only.
    assert api.get("/api/v1/procedures/", {"lang": "es"}, HTTP_IF_NONE_MATCH=spanish["ETag"]).status_code == 304
    not_modified = api.get("/api/v1/procedures/", HTTP_ACCEPT_LANGUAGE="es", HTTP_IF_NONE_MATCH=spanish["ETag"])
    assert not_modified.status_code == 304 and not_modified["Content-Language"] == "es"
    assert "Accept-Language" in not_modified["Vary"]
    assert api.get("/api/v1/procedures/", HTTP_IF_NONE_MATCH=spanish["ETag"]).status_code == 200
    detail = api.get("/api/v1/procedures/mesotherapy/", {"lang": "es"})
    assert api.get("/api/v1/procedures/mesotherapy/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 200


def test_a_changed_translation_reaches_the_cached_lists(api, pages):
    assert records(api.get("/api/v1/procedures/", {"lang": "es"}))["mesotherapy"]["title"] == "Mesoterapia"
    translated = ProcedureTranslation.objects.get(procedure=pages, language="es")
    translated.title = "Mesoterapia facial"
    save_content(translated)
    assert records(api.get("/api/v1/procedures/", {"lang": "es"}))["mesotherapy"]["title"] == "Mesoterapia facial"

    pages.risks = "Bruising, redness and, rarely, infection."
    save_content(pages, change_note="Added the risk of infection")
    record = records(api.get("/api/v1/procedures/", {"lang": "es"}))["mesotherapy"]
    assert record["title"] == "Mesoterapia facial"  # still the translation, now saying it is behind
    assert record["translation"]["out_of_date_since"] is not None


def test_links_between_answers_keep_the_language(api, pages):
    response = api.get("/api/v1/procedures/", {"page_size": 1}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.json()["next"] == "http://testserver/api/v1/procedures/?page=2&page_size=1&lang=es"
    english = api.get("/api/v1/procedures/", {"page_size": 1, "lang": "en-gb"})
    assert english.json()["next"] == "http://testserver/api/v1/procedures/?page=2&page_size=1"
    assert english.json()["results"][0]["api_url"] == "http://testserver/api/v1/procedures/mesotherapy/"


def test_a_renamed_page_redirects_in_the_language_asked_for(api, pages):
    pages.slug = "mesotherapy-injections"
    save_content(pages)
    response = api.get("/api/v1/procedures/mesotherapy/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/procedures/mesotherapy-injections/?lang=es"


def test_a_list_in_spanish_costs_one_query_more_than_in_english(api, pages, django_assert_max_num_queries):
    for n in range(30):
        TranslationFactory(procedure=ProcedureFactory(title=f"Page {n:02}"))
    with django_assert_max_num_queries(4) as english:
        assert api.get("/api/v1/procedures/", {"page_size": 100}).status_code == 200
    with django_assert_max_num_queries(len(english) + 1):
        assert api.get("/api/v1/procedures/", {"page_size": 100, "lang": "es"}).status_code == 200
