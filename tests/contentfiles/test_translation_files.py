"""Translations in content/: <slug>.<language>.md beside the page's own file, with their
provenance in the front matter, loaded and dumped as a developer or translator runs the commands."""

import shutil

import pytest
from django.core.management.base import CommandError
from django.test import Client

from procedures.contentfiles import CONTENT_DIR, KINDS
from procedures.models import (
    TEXT_TRANSLATIONS,
    Disclaimer,
    DisclaimerTranslation,
    GlossaryTerm,
    GlossaryTermTranslation,
    Procedure,
    ProcedureTranslation,
    Synonym,
)
from procedures.publishing.content import save_content
from tests.helpers import change_url, run
from tests.html import error_messages, form_fields, page, text

SPANISH = "procedures/mesotherapy.es.md"
NOT_REVIEWED = "This translation has not had a medical review yet, so it cannot be published."


def edit(content, name, *replacements):
    path = content / name
    text = path.read_text()
    for old, new in replacements:
        assert old in text, (name, old)
        text = text.replace(old, new, 1)
    path.write_text(text)


def spanish():
    return ProcedureTranslation.objects.select_related("procedure").get(procedure__slug="mesotherapy", language="es")


REVIEWED = (("status: draft", "status: published"), ("reviewer: ''", "reviewer: anand-lakhkar"))
REVIEWED_ON = ("last_reviewed: null", "last_reviewed: 2026-11-30")


def test_the_shipped_translations_load_as_drafts_with_their_provenance(content, editor_client):
    run("loadcontent", content)
    translated = spanish()
    assert (translated.status, translated.translated_by.slug, translated.reviewer) == ("draft", "mesocare-editorial-team", None)
    assert translated.title == "Mesoterapia" and translated.what_it_is.startswith("La mesoterapia es")
    assert translated.translated_from == translated.procedure.edit_version  # translated from the page as it is
    assert not translated.is_out_of_date
    assert ProcedureTranslation.objects.count() == 4  # both pages, in Spanish and Arabic
    assert "Yes: translated from version" in text(editor_client.get(change_url(translated)))
    assert "Mesoterapia" not in page(Client().get("/es/procedures/mesotherapy/")).h1.get_text()  # a draft


def test_the_shipped_disclaimer_and_glossary_translations_load_as_drafts_with_their_provenance(db, content):
    run("loadcontent", content)
    allergy = GlossaryTermTranslation.objects.get(source__slug="allergy", language="es")
    assert (allergy.term, allergy.status, allergy.translated_by.slug) == ("Alergia", "draft", "mesocare-editorial-team")
    assert "alergias" in allergy.also_matches and not allergy.is_out_of_date
    disclaimer = DisclaimerTranslation.objects.get(source__slug="medical-information", language="ar")
    assert disclaimer.status == "draft" and disclaimer.body and disclaimer.reviewer is None


def test_every_kind_of_translation_has_a_place_in_the_files_for_each_field_it_translates():
    translations = {kind.translations.model: kind for kind in KINDS if kind.translations}
    assert set(TEXT_TRANSLATIONS) | {ProcedureTranslation} == set(translations)
    for model in TEXT_TRANSLATIONS:
        kind = translations[model]
        assert {*kind.translations.fields, kind.body} >= set(model.translated_fields), model


def test_an_english_definition_that_changes_puts_its_translations_behind(db, content):
    run("loadcontent", content)
    edit(content, "glossary/allergy.md", ("\n---\n", "\n---\nIn short: "))
    assert "updated  content/glossary/allergy.md" in run("loadcontent", content)
    assert GlossaryTermTranslation.objects.get(source__slug="allergy", language="es").is_out_of_date
    run("dumpcontent", content)
    assert "out_of_date_since: 2026-" in (content / "glossary" / "allergy.es.md").read_text()


def test_a_reviewed_translation_file_is_published_and_patients_read_it(db, content):
    edit(content, SPANISH, *REVIEWED, REVIEWED_ON)
    run("loadcontent", content)
    html = page(Client().get("/es/procedures/mesotherapy/"))
    assert html.h1.get_text(strip=True) == "Mesoterapia"
    assert "La mesoterapia es un tratamiento que no necesita cirugía." in html.get_text()
    assert "Dr Anand Lakhkar" in html.get_text()  # its own medical reviewer


def test_a_file_publishing_a_translation_without_a_review_is_refused_as_the_editors_form_is(content, editor_client):
    run("loadcontent", content)
    data = form_fields(editor_client.get(change_url(spanish())))
    response = editor_client.post(change_url(spanish()), {**data, "status": "published"})
    assert any(NOT_REVIEWED in message for message in error_messages(response))

    edit(content, SPANISH, ("status: draft", "status: published"))
    with pytest.raises(CommandError) as error:
        run("loadcontent", content)
    assert f"content/{SPANISH}: field 'status': {NOT_REVIEWED}" in str(error.value)
    assert spanish().status == "draft"


def test_a_translation_of_a_page_that_does_not_exist_is_reported_by_name(db, content):
    shutil.copy(content / SPANISH, content / "procedures" / "no-such-page.es.md")
    with pytest.raises(CommandError) as error:
        run("loadcontent", content)
    assert "content/procedures/no-such-page.es.md: is a translation of the procedure 'no-such-page'" in str(error.value)
    assert "(content/procedures/no-such-page.md)" in str(error.value)
    assert not Procedure.objects.exists() and not ProcedureTranslation.objects.exists()


@pytest.mark.parametrize("broken, message", [
    (("translated_by: mesocare-editorial-team", "translated_by: nobody"), "field 'translated_by': no author 'nobody'"),
    (("translated_by: mesocare-editorial-team\n", ""), "field 'translated_by' is missing"),
    (("## Qué es", "## Qué no es"), "unknown section heading '## Qué no es'; the sections are: ## Qué es; ## Para quién es"),
    (("translated_from_date: 2026-11-26", "translated_from_date: 2026-02-30"), "field 'translated_from_date'"),
    (("reviewer: ''", "reviewer: mesocare-editorial-team"), "field 'reviewer'"),  # not a qualified reviewer
    (("out_of_date_since: null", "out_of_date_since: soon"), "field 'out_of_date_since'"),
    (("title: Mesoterapia", "title: Mesoterapia\ntranslated_from: 3"), "unknown field 'translated_from'"),
    (("translated_from_date: 2026-11-26", "translated_from_date: [1]"), "field 'translated_from_date'"),
])  # fmt: skip
def test_a_broken_translation_file_is_reported_by_name_and_field_and_nothing_changes(db, content, broken, message):
    edit(content, SPANISH, broken)
    with pytest.raises(CommandError) as error:
        run("loadcontent", content)
    assert f"content/{SPANISH}: " in str(error.value) and message in str(error.value)
    assert not Procedure.objects.exists()


def test_files_in_a_language_the_site_does_not_have_are_skipped_with_a_warning(db, content):
    shutil.copy(content / SPANISH, content / "procedures" / "mesotherapy.fr.md")
    shutil.copy(content / SPANISH, content / "procedures" / "mesotherapy.en-gb.md")
    output = run("loadcontent", content)
    assert "skipped  content/procedures/mesotherapy.fr.md: 'fr' is not one of the site's languages (LANGUAGES: en-gb" in output
    assert "skipped  content/procedures/mesotherapy.en-gb.md: 'en-gb' is the site's default language" in output
    assert set(ProcedureTranslation.objects.values_list("language", flat=True)) == {"es", "ar"}
    assert not Procedure.objects.filter(slug__contains=".").exists()


def test_translations_of_kinds_without_translations_are_skipped_not_read_as_texts_of_their_own(db, content):
    (content / "synonyms" / "fat.es.md").write_text("---\nwords: grasa, grasas\n---\n")
    output = run("loadcontent", content)
    assert "skipped  content/synonyms/fat.es.md: translations of synonyms are not loaded yet" in output
    assert not Synonym.objects.filter(slug__contains=".").exists()
    assert not GlossaryTerm.objects.filter(slug__contains=".").exists()  # allergy.es.md is no term "allergy.es"


def test_sections_headed_in_english_are_read_and_written_back_in_the_translations_language(db, content):
    edit(
        content,
        SPANISH,
        ("## Qué es\n", "## What it is\n"),
        ("## Riesgos y efectos secundarios\n", "## RISKS AND SIDE EFFECTS\n"),
    )
    run("loadcontent", content)
    assert spanish().what_it_is.startswith("La mesoterapia es") and spanish().risks
    run("dumpcontent", content)
    dumped = (content / SPANISH).read_text()
    assert "\n## Qué es\n" in dumped and "\n## Riesgos y efectos secundarios\n" in dumped and "## What it is" not in dumped


def test_an_out_of_date_translation_stays_out_of_date_after_a_round_trip(db, content, tmp_path, editor_client):
    run("loadcontent", content)
    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.risks += "\n\nRarely, an infection."
    save_content(procedure, change_note="Added the risk of infection")
    since = spanish().out_of_date_since
    assert since is not None

    run("dumpcontent", tmp_path / "first")
    assert f"out_of_date_since: {since.isoformat(' ')}\n" in (tmp_path / "first" / SPANISH).read_text()
    Procedure.objects.all().delete()
    run("loadcontent", tmp_path / "first")
    assert spanish().out_of_date_since == since
    assert "No: the page changed what patients read on" in text(editor_client.get(change_url(spanish())))
    run("dumpcontent", tmp_path / "second")
    assert (tmp_path / "second" / SPANISH).read_text() == (tmp_path / "first" / SPANISH).read_text()


def test_a_page_file_that_moves_on_puts_its_translations_behind_until_their_files_catch_up(db, content):
    run("loadcontent", content)
    edit(content, "procedures/mesotherapy.md", ("last_updated: 2026-11-26", "last_updated: 2026-12-01"))
    output = run("loadcontent", content)
    assert f"unchanged  content/{SPANISH}" in output
    assert spanish().is_out_of_date
    assert ProcedureTranslation.objects.get(procedure__slug="mesotherapy-for-hair-loss", language="es").is_out_of_date is False
    run("dumpcontent", content)
    assert "out_of_date_since: 2026-" in (content / SPANISH).read_text()

    # The translator brings the text up to date with the English of 1 December.
    edit(content, SPANISH, ("translated_from_date: 2026-11-26", "translated_from_date: 2026-12-01"))
    text_ = (content / SPANISH).read_text()
    (content / SPANISH).write_text(text_.replace(text_.split("out_of_date_since: ")[1].split("\n")[0], "null", 1))
    assert f"updated  content/{SPANISH}" in run("loadcontent", content)
    assert not spanish().is_out_of_date
    assert spanish().translated_from == spanish().procedure.edit_version


def test_a_translation_changed_in_the_admin_and_in_its_file_is_a_conflict(db, content):
    run("loadcontent", content)
    translated = spanish()
    translated.title = "Mesoterapia (admin)"
    save_content(translated)
    edit(content, SPANISH, ("title: Mesoterapia", "title: Mesoterapia (archivo)"))
    with pytest.raises(CommandError, match=f"content/{SPANISH}: this page was changed in the admin"):
        run("loadcontent", content)
    run("dumpcontent", content)  # the admin's version wins
    assert "title: Mesoterapia (admin)\n" in (content / SPANISH).read_text()
    assert "0 updated" in run("loadcontent", content)


def test_dumpcontent_removes_a_deleted_translations_file_and_leaves_files_it_does_not_write(db, content):
    run("loadcontent", content)
    shutil.copy(content / SPANISH, content / "procedures" / "mesotherapy.fr.md")
    ProcedureTranslation.objects.filter(procedure__slug="mesotherapy", language="ar").delete()
    run("dumpcontent", content)
    assert not (content / "procedures" / "mesotherapy.ar.md").exists()
    assert (content / SPANISH).exists() and (content / "procedures" / "mesotherapy.fr.md").exists()
    for shipped in CONTENT_DIR.glob("*/*.*.md"):  # the others: kept (other kinds' too, whether loaded or not)
        if shipped.name != "mesotherapy.ar.md":
            assert (content / shipped.relative_to(CONTENT_DIR)).exists(), shipped


def page_of_patients(address):
    return page(Client().get(address))


def test_a_file_that_says_nothing_of_out_of_date_never_brings_an_out_of_date_translation_back(db, content):
    """The English changed after the translation: the translator's file, still from the old English
    (a typo fixed, out_of_date_since still null), keeps the translation out of date."""
    edit(content, SPANISH, *REVIEWED, REVIEWED_ON)
    edit(content, "disclaimers/medical-information.es.md", *REVIEWED, REVIEWED_ON)
    run("loadcontent", content)
    page = Procedure.objects.get(slug="mesotherapy")
    page.risks += "\n\nA serious risk we have learnt of."
    save_content(page, change_note="Added a serious risk.")
    disclaimer = Disclaimer.objects.get(slug="medical-information")
    disclaimer.body += " Never stop a medicine without asking."
    save_content(disclaimer)

    edit(content, SPANISH, ("## Qué es\n", "## Qué es\n\n"))
    edit(content, "disclaimers/medical-information.es.md", ("ofrece solo", "solo ofrece"))
    run("loadcontent", content)
    assert spanish().is_out_of_date
    assert DisclaimerTranslation.objects.get(language="es").is_out_of_date
    assert page_of_patients("/es/procedures/mesotherapy/").select_one(".translation-behind") is not None
