"""Saving a page's translation through procedures.publishing: its text rendered and sanitised,
its provenance kept, the page's cached answers left behind, and falling out of date."""

from django.utils import timezone

from procedures.models import ContentVersion, ProcedureTranslation
from procedures.models.freshness import page_scope
from procedures.publishing.content import delete_content, save_content
from tests.factories import ProcedureFactory, TranslationFactory


def page_version(procedure):
    return ContentVersion.objects.get(scope=page_scope(procedure.slug)).version


def test_a_translations_markdown_goes_through_the_same_sanitiser(db):
    translated = TranslationFactory(what_it_is="Es **seguro**.<script>alert(1)</script>", recovery="# Después")
    assert "<strong>seguro</strong>" in translated.what_it_is_html
    assert "<script" not in translated.what_it_is_html
    assert "<h3" in translated.recovery_html  # under the section's heading, as on the page itself


def test_a_new_translation_comes_from_the_page_as_it_is_now(db):
    procedure = ProcedureFactory()
    translated = TranslationFactory(procedure=procedure)
    assert translated.translated_from == procedure.edit_version
    assert translated.translated_from_date == procedure.last_updated  # the date patients see on the English page
    assert translated.translated_at == timezone.localdate()


def test_saving_or_deleting_a_translation_moves_its_pages_version(db):
    procedure = ProcedureFactory()
    before = page_version(procedure)
    translated = TranslationFactory(procedure=procedure)
    after_save = page_version(procedure)
    assert after_save != before
    delete_content(translated)
    assert page_version(procedure) != after_save
    assert procedure.rendered.parts["translations"] == {}


def test_only_published_translations_are_rendered_with_the_page(db):
    procedure = ProcedureFactory()
    TranslationFactory(procedure=procedure, language="es")
    TranslationFactory(procedure=procedure, language="ar", status=ProcedureTranslation.Status.DRAFT)
    procedure.rendered.refresh_from_db()
    assert list(procedure.rendered.parts["translations"]) == ["es"]


def test_a_change_patients_read_puts_every_translation_out_of_date_and_catching_up_clears_it(db):
    procedure = ProcedureFactory()
    spanish = TranslationFactory(procedure=procedure, language="es")
    arabic = TranslationFactory(procedure=procedure, language="ar")

    procedure.risks = "Bruising and redness"  # a typo fix: nothing falls behind
    save_content(procedure)
    spanish.refresh_from_db()
    assert spanish.out_of_date_since is None

    procedure.risks = "Bruising, redness and, rarely, infection."
    save_content(procedure, change_note="Added the risk of infection")
    for translated in (spanish, arabic):
        translated.refresh_from_db()
        assert translated.out_of_date_since is not None

    spanish.risks = "Moratones, enrojecimiento y, rara vez, infección."
    save_content(spanish)  # a text fix that names no newer version of the page: still behind
    spanish.refresh_from_db()
    assert spanish.out_of_date_since is not None

    procedure.refresh_from_db()
    spanish.translated_from = procedure.edit_version
    save_content(spanish)
    spanish.refresh_from_db()
    arabic.refresh_from_db()
    assert spanish.out_of_date_since is None and arabic.out_of_date_since is not None
