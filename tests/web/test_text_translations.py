"""The site's other texts in the patient's language (disclaimers, names of conditions, …): shown
once reviewed and while up to date, the English otherwise; made and listed in the admin."""

import pytest
from django.db import IntegrityError, transaction

from procedures.models import ConditionTranslation, DisclaimerTranslation, GlossaryTerm, GlossaryTermTranslation, TranslationState
from procedures.publishing.content import delete_content, save_content
from tests.factories import (
    AuthorFactory,
    ConditionFactory,
    ConditionTranslationFactory,
    DisclaimerFactory,
    DisclaimerTranslationFactory,
    ProcedureFactory,
    SpecialtyFactory,
    TranslationFactory,
    make_editor,
)
from tests.html import page as page_of
from tests.html import text as text_of


@pytest.fixture
def spanish_page(db):
    """A page with a reviewed Spanish translation, its own disclaimer and a condition it treats."""
    disclaimer = DisclaimerFactory(title="About this information", body="General information only.")
    condition = ConditionFactory(name="Hair loss", slug="hair-loss")
    procedure = ProcedureFactory(slug="mesotherapy", disclaimer=disclaimer)
    procedure.conditions.set([condition])
    save_content(procedure)
    TranslationFactory(procedure=procedure, language="es", title="Mesoterapia")
    return procedure


def page_text(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return text_of(response)


def test_a_reviewed_translation_of_the_disclaimer_and_a_condition_shows_on_the_translated_page(spanish_page, client):
    DisclaimerTranslationFactory(source=spanish_page.disclaimer, title="Sobre esta información", body="Solo información general.")
    ConditionTranslationFactory(source=spanish_page.conditions.get(), name="Caída del cabello")

    spanish = page_text(client, "/es/procedures/mesotherapy/")
    assert "Sobre esta información" in spanish and "Solo información general." in spanish
    assert "caída del cabello" in spanish
    assert "General information only." not in spanish

    english = page_text(client, "/procedures/mesotherapy/")
    assert "General information only." in english and "hair loss" in english
    assert "Solo información general." not in english


def test_a_draft_translation_is_never_shown(spanish_page, client):
    DisclaimerTranslationFactory(
        source=spanish_page.disclaimer, body="Borrador sin revisar.", status=DisclaimerTranslation.Status.DRAFT
    )
    spanish = page_text(client, "/es/procedures/mesotherapy/")
    assert "Borrador sin revisar." not in spanish
    assert "General information only." in spanish


def test_the_database_refuses_a_published_translation_without_a_review(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        DisclaimerTranslationFactory(reviewer=None, last_reviewed=None)


def test_when_the_english_changes_the_translation_falls_out_of_date_and_the_english_is_shown(spanish_page, client):
    translated = DisclaimerTranslationFactory(source=spanish_page.disclaimer, body="Solo información general.")
    disclaimer = spanish_page.disclaimer

    disclaimer.slug = "renamed"  # not a word patients read in another language: nothing falls behind
    save_content(disclaimer)
    translated.refresh_from_db()
    assert translated.state == TranslationState.REVIEWED

    disclaimer.body = "General information only. It is not medical advice."
    save_content(disclaimer)
    translated.refresh_from_db()
    assert translated.state == TranslationState.OUT_OF_DATE
    spanish = page_text(client, "/es/procedures/mesotherapy/")
    assert "It is not medical advice." in spanish and "Solo información general." not in spanish

    translated.body = "Solo información general. No es un consejo médico."
    translated.translated_from_date = None  # caught up with the English as it is now
    save_content(translated)
    assert translated.state == TranslationState.REVIEWED
    assert "No es un consejo médico." in page_text(client, "/es/procedures/mesotherapy/")


def test_deleting_a_translation_shows_the_english_again(spanish_page, client):
    translated = ConditionTranslationFactory(source=spanish_page.conditions.get(), name="Caída del cabello")
    assert "caída del cabello" in page_text(client, "/es/procedures/mesotherapy/")
    delete_content(translated)
    spanish = page_text(client, "/es/procedures/mesotherapy/")
    assert "caída del cabello" not in spanish and "hair loss" in spanish


def test_an_editor_adds_a_translation_from_the_texts_own_form(db, client):
    condition = ConditionFactory(name="Cellulite")
    translator = AuthorFactory(name="Ana Traductora")
    client.force_login(make_editor())

    form = client.get(f"/admin/procedures/condition/{condition.pk}/change/")
    listed = text_of(form)
    assert "Español: Add a translation — Missing" in listed
    add = f"/admin/procedures/conditiontranslation/add/?source={condition.pk}&language=es"
    assert add.replace("&", "&amp;") in form.content.decode()

    response = client.post(
        add,
        {
            "source": condition.pk,
            "language": "es",
            "name": "Celulitis",
            "also_known_as": "[]",
            "description": "Piel con hoyuelos.",
            "status": "draft",
            "translated_by": translator.pk,
            "translated_at": "2026-12-01",
        },
    )
    assert response.status_code == 302, text_of(response)
    translated = ConditionTranslation.objects.get(source=condition)
    assert translated.translated_by == translator and translated.state == TranslationState.DRAFT
    assert "Español: Celulitis — Draft" in text_of(client.get(f"/admin/procedures/condition/{condition.pk}/change/"))


def test_an_editor_cannot_publish_a_translation_nobody_reviewed(db, client):
    condition = ConditionFactory(name="Cellulite")
    translator = AuthorFactory()
    client.force_login(make_editor())
    response = client.post(
        "/admin/procedures/conditiontranslation/add/",
        {
            "source": condition.pk,
            "language": "es",
            "name": "Celulitis",
            "also_known_as": "[]",
            "status": "published",
            "translated_by": translator.pk,
            "translated_at": "2026-12-01",
        },
    )
    assert response.status_code == 200
    assert "has not had a medical review yet" in text_of(response)
    assert not ConditionTranslation.objects.exists()


def test_a_texts_own_page_is_shown_in_the_visitors_language_once_translated(spanish_page, client):
    disclaimer = spanish_page.disclaimer
    address = f"/es/disclaimers/{disclaimer.slug}/"
    before = client.get(address)
    assert "Esta página aún no está disponible en este idioma" in text_of(before)
    assert "General information only." in text_of(before)

    DisclaimerTranslationFactory(source=disclaimer, title="Sobre esta información", body="Solo información general.")
    after = client.get(address)
    shown = text_of(after)
    assert "Solo información general." in shown and "General information only." not in shown
    assert "aún no está disponible" not in shown and "Español (página aún no traducida)" not in shown
    assert f'hreflang="es" href="http://testserver{address}"' in after.content.decode()


def test_condition_pages_and_the_glossary_show_reviewed_translations(spanish_page, client):
    ConditionTranslationFactory(source=spanish_page.conditions.get(), name="Caída del cabello", description="Perder pelo.")
    hub = text_of(client.get("/es/conditions/hair-loss/"))
    assert "Caída del cabello" in hub and "Perder pelo." in hub
    assert "Caída del cabello" in text_of(client.get("/es/conditions/"))
    assert "Caída del cabello" not in text_of(client.get("/conditions/hair-loss/"))


def test_cards_on_hubs_and_author_pages_show_the_translated_title(spanish_page, client):
    untranslated = ProcedureFactory(title="Another treatment", slug="another-treatment")
    untranslated.conditions.set(spanish_page.conditions.all())
    save_content(untranslated)
    hub = client.get("/es/conditions/hair-loss/")
    cards = {card.find("a").get_text(): card for card in page_of(hub).select(".cards .card")}
    assert set(cards) == {"Mesoterapia", "Another treatment"}
    assert cards["Mesoterapia"].find("a")["href"] == "/es/procedures/mesotherapy/"
    assert cards["Another treatment"]["lang"] == "en-GB"  # shown in English, marked as such
    author = text_of(client.get(f"/es/authors/{spanish_page.author.slug}/"))
    assert "Mesoterapia" in author
    assert "Mesoterapia" not in text_of(client.get("/conditions/hair-loss/"))


def test_the_printed_handout_names_the_translator_and_prints_the_translated_disclaimer(spanish_page, client):
    DisclaimerTranslationFactory(source=spanish_page.disclaimer, title="Sobre esta información", body="Solo información general.")
    translated = spanish_page.translations.get()
    handout = text_of(client.get("/es/procedures/mesotherapy/print/"))
    assert f"Traducido por {translated.translated_by.name}" in handout
    assert "Solo información general." in handout and "General information only." not in handout
    assert "Traducido por" not in text_of(client.get("/procedures/mesotherapy/print/"))


def test_a_translated_page_links_and_explains_the_glossary_terms_translated_into_its_language(spanish_page, client):
    term = save_content(GlossaryTerm(term="Injection", slug="injection", definition="A dose given with a needle."))
    translated = spanish_page.translations.get()
    translated.what_it_is = "Se ponen muchas inyecciones pequeñas."
    save_content(translated)
    reviewer = translated.reviewer
    draft = save_content(
        GlossaryTermTranslation(
            source=term,
            language="es",
            term="Inyección",
            also_matches=["inyecciones"],
            definition="Una dosis con aguja.",
            translated_by=reviewer,
        )
    )
    assert 'href="#term-injection"' not in client.get("/es/procedures/mesotherapy/").content.decode()  # a draft links nothing

    draft.status, draft.last_reviewed = GlossaryTermTranslation.Status.PUBLISHED, translated.last_reviewed
    draft.reviewer = reviewer
    save_content(draft)  # the page is rendered again (in the background; at once in tests)
    spanish = client.get("/es/procedures/mesotherapy/")
    assert page_of(spanish).select_one('a.glossary-term[href="#term-injection"]').get_text() == "inyecciones"
    explained = page_of(spanish).select_one("#words-explained")
    assert "Inyección" in explained.get_text() and "Una dosis con aguja." in explained.get_text()


def test_the_home_page_shows_each_treatment_in_the_visitors_language_where_translated(spanish_page, client):
    specialty = SpecialtyFactory(name="Dermatology", slug="dermatology")
    spanish_page.specialties.set([specialty])
    save_content(spanish_page)
    cards = page_of(client.get("/es/")).select(".card a")
    assert [card.get_text() for card in cards] == ["Mesoterapia"]
    assert [card.get_text() for card in page_of(client.get("/")).select(".card a")] == [spanish_page.title]


def test_related_treatments_are_shown_in_the_visitors_language_where_translated(spanish_page, client):
    related = ProcedureFactory(title="Mesotherapy for hair loss", slug="for-hair-loss")
    related.conditions.set(spanish_page.conditions.all())
    save_content(related)

    def related_titles():
        section = page_of(client.get("/es/procedures/mesotherapy/")).select_one("#related-treatments")
        return [card.get_text() for card in section.select(".card a")]

    assert related_titles() == ["Mesotherapy for hair loss"]
    TranslationFactory(procedure=related, language="es", title="Mesoterapia capilar")
    assert related_titles() == ["Mesoterapia capilar"]  # and the cached page did not keep the English
