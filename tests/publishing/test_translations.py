"""Saving a page's translation through procedures.publishing: its text rendered and sanitised,
its provenance kept, the page's cached answers left behind, and falling out of date."""

import reversion
from django.utils import timezone
from reversion.models import Version

from procedures.models import ContentVersion, ProcedureTranslation
from procedures.models.freshness import page_scope
from procedures.publishing.content import delete_content, save_content
from procedures.publishing.revisions import restore
from tests.factories import (
    AuthorFactory,
    DisclaimerFactory,
    DisclaimerTranslationFactory,
    ProcedureFactory,
    TranslationFactory,
    make_editor,
)
from tests.html import text


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


def test_restoring_an_older_english_text_puts_its_translations_out_of_date(db, client):
    disclaimer = DisclaimerFactory(title="About", body="Version one: ask your doctor.")
    with reversion.create_revision():
        save_content(disclaimer)
    first = Version.objects.get_for_object(disclaimer).get()
    disclaimer.body = "Version two: never stop a medicine on your own."
    save_content(disclaimer)
    translated = DisclaimerTranslationFactory(source=disclaimer, body="Versión dos: nunca deje un medicamento por su cuenta.")

    restore(first, make_editor())  # the English says version one again
    translated.refresh_from_db()
    assert translated.is_out_of_date


def test_restoring_a_translation_of_other_text_keeps_it_out_of_date(db):
    disclaimer = DisclaimerFactory(body="Version one: ask your doctor.")
    translated = DisclaimerTranslationFactory(source=disclaimer, body="Versión uno: pregunte a su médico.")
    with reversion.create_revision():
        save_content(translated)
    disclaimer.body = "Version two: never stop a medicine on your own."
    save_content(disclaimer)

    restore(Version.objects.get_for_object(translated).first(), make_editor())  # e.g. to undo a typo
    translated.refresh_from_db()
    assert translated.is_out_of_date  # it still translates version one: patients keep getting the English


def test_renaming_a_translator_or_a_translations_reviewer_renders_the_translated_page_again(db, client):
    procedure = ProcedureFactory(slug="meso")
    translator = AuthorFactory(name="Tina Translator")
    reviewer = AuthorFactory(name="Dr Old Name", is_qualified_reviewer=True, credentials="MD")
    TranslationFactory(procedure=procedure, language="es", translated_by=translator, reviewer=reviewer)
    translator.name, reviewer.name = "Tina Newname", "Dr New Name"
    save_content(translator)
    save_content(reviewer)
    spanish = text(client.get("/es/procedures/meso/"))
    assert "Tina Newname" in spanish and "Dr New Name" in spanish
    assert "Tina Translator" not in spanish and "Dr Old Name" not in spanish
