"""Translations in the admin, as an editor and a medical reviewer use them: the list with its
filters, the form (prefilled from the page, no publishing without a review, no silent
overwrites) and the page's own list of its translations."""

import reversion
from django.test import Client
from django.urls import reverse

from procedures.models import AuditEntry, Author, ProcedureTranslation
from procedures.publishing.content import save_content
from procedures.roles import editors_group
from tests.factories import AuthorFactory, ProcedureFactory, TranslationFactory
from tests.helpers import change_url
from tests.html import error_messages, form_fields, page, text

LIST = reverse("admin:procedures_proceduretranslation_changelist")
ADD = reverse("admin:procedures_proceduretranslation_add")


def rows(response):
    return [" ".join(row.get_text(" ").split()) for row in page(response).select("#result_list tbody tr")]


def test_the_list_shows_state_translator_and_review_and_filters_by_language_and_state(editor_client):
    procedure = ProcedureFactory(title="Mesotherapy")
    spanish = TranslationFactory(procedure=procedure, language="es", translated_by=AuthorFactory(name="Ana Traductora"))
    TranslationFactory(procedure=procedure, language="ar", status=ProcedureTranslation.Status.DRAFT)
    procedure.risks = "Bruising, redness and, rarely, infection."
    save_content(procedure, change_note="Added the risk of infection")

    response = editor_client.get(LIST)
    assert response.status_code == 200
    [arabic_row, spanish_row] = rows(response)
    assert "Mesotherapy (Español)" in spanish_row and "Ana Traductora" in spanish_row
    assert "Out of date since" in spanish_row and str(spanish.reviewer) in spanish_row
    assert "Out of date" in arabic_row  # drafts fall behind too

    assert len(rows(editor_client.get(LIST, {"language": "es"}))) == 1
    assert len(rows(editor_client.get(LIST, {"state": "out-of-date"}))) == 2
    assert rows(editor_client.get(LIST, {"state": "reviewed"})) == []


def test_the_pages_form_lists_its_translations_and_offers_to_add_the_missing_ones(editor_client):
    procedure = ProcedureFactory()
    spanish = TranslationFactory(procedure=procedure, language="es", title="Mesoterapia")
    response = editor_client.get(change_url(procedure))
    listing = page(response).find("ul", class_="translations")
    links = {a.get_text(strip=True): a["href"] for a in listing.find_all("a")}
    assert links["Mesoterapia"] == change_url(spanish)
    assert links["Add a translation"] == f"{ADD}?procedure={procedure.pk}&language=ar"
    assert "Missing" in listing.get_text() and "Published, medically reviewed" in listing.get_text()


def test_an_editor_adds_a_draft_translation_from_the_pages_form(editor_client):
    procedure = ProcedureFactory(slug="mesotherapy")
    translator = AuthorFactory()
    form = editor_client.get(f"{ADD}?procedure={procedure.pk}&language=es")
    data = form_fields(form)
    assert (data["procedure"], data["language"]) == (str(procedure.pk), "es")
    assert page(form).find("select", attrs={"name": "reviewer"}) is None  # reviews are the reviewers' to record
    data.update(title="Mesoterapia", summary="Inyecciones pequeñas.", what_it_is="Es un tratamiento.")
    data["translated_by"] = translator.pk
    response = editor_client.post(ADD, data, follow=True)
    assert "was added successfully" in text(response), error_messages(response)
    translated = ProcedureTranslation.objects.get()
    assert (translated.status, translated.translated_from) == ("draft", procedure.edit_version)
    assert "Es un tratamiento." not in text(editor_client.get("/es/procedures/mesotherapy/"))


def test_a_translation_cannot_be_published_before_its_medical_review(editor_client):
    translated = TranslationFactory(status=ProcedureTranslation.Status.DRAFT, reviewer=None, last_reviewed=None)
    data = form_fields(editor_client.get(change_url(translated)))
    response = editor_client.post(change_url(translated), {**data, "status": "published"})
    assert any("has not had a medical review yet" in message for message in error_messages(response))
    translated.refresh_from_db()
    assert translated.status == "draft"


def test_a_medical_reviewer_who_edits_records_the_review_and_publishes(reviewer, reviewer_client):
    reviewer.groups.add(editors_group())  # recording it on the form takes both (its own step is still to come)
    translated = TranslationFactory(status=ProcedureTranslation.Status.DRAFT, reviewer=None, last_reviewed=None)
    data = form_fields(reviewer_client.get(change_url(translated)))
    rita = Author.objects.get(user=reviewer)
    response = reviewer_client.post(
        change_url(translated),
        {**data, "status": "published", "reviewer": rita.pk, "last_reviewed": "2026-01-05"},
        follow=True,
    )
    assert "was changed successfully" in text(response), error_messages(response)
    translated.refresh_from_db()
    assert (translated.status, translated.reviewer, str(translated.last_reviewed)) == ("published", rita, "2026-01-05")


def test_a_translation_saved_by_someone_else_meanwhile_is_not_overwritten(editor_client):
    translated = TranslationFactory(title="Mesoterapia")
    data = form_fields(editor_client.get(change_url(translated)))
    translated.title = "Mesoterapia facial"
    save_content(translated)
    response = editor_client.post(change_url(translated), {**data, "summary": "Otro resumen."})
    assert any("Someone else saved this page" in message for message in error_messages(response))
    translated.refresh_from_db()
    assert (translated.title, translated.summary) == ("Mesoterapia facial", "Un resumen sencillo del tratamiento.")


def test_catching_up_clears_out_of_date_in_the_form(editor_client):
    procedure = ProcedureFactory()
    translated = TranslationFactory(procedure=procedure)
    save_content(procedure, change_note="Added the risk of infection")
    form = editor_client.get(change_url(translated))
    assert "Bring the text up to date" in text(form)
    procedure.refresh_from_db()
    data = form_fields(form)
    response = editor_client.post(change_url(translated), {**data, "translated_from": procedure.edit_version}, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    translated.refresh_from_db()
    assert translated.out_of_date_since is None


def test_a_translations_history_keeps_every_save_and_compares_it_with_now(editor_client):
    translated = TranslationFactory(title="Mesoterapia")
    data = form_fields(editor_client.get(change_url(translated)))
    editor_client.post(change_url(translated), {**data, "title": "Mesoterapia facial"})
    data = form_fields(editor_client.get(change_url(translated)))
    editor_client.post(change_url(translated), {**data, "title": "Mesoterapia corporal"})
    history = editor_client.get(reverse("admin:procedures_proceduretranslation_history", args=[translated.pk]))
    compare = [a["href"] for a in page(history).find_all("a") if "/compare/" in a["href"]]
    assert len(compare) >= 2
    response = editor_client.get(compare[-1])
    assert response.status_code == 200 and "corporal" in text(response)


def test_an_out_of_date_translation_shows_word_by_word_what_changed_in_the_english_page(editor_client):
    with reversion.create_revision():  # the page's history, as the admin and loadcontent keep it
        procedure = ProcedureFactory(risks="Bruising and redness.")
    translated = TranslationFactory(procedure=procedure)
    assert "What changed in the English page" not in text(editor_client.get(change_url(translated)))

    procedure.risks = "Bruising, redness and, rarely, infection."
    with reversion.create_revision():
        save_content(procedure, change_note="Added the risk of infection")
    section = page(editor_client.get(change_url(translated))).find(id="source-changes-title").parent
    headings = [h3.get_text(strip=True) for h3 in section.find_all("h3")]
    assert "Risks and side effects" in headings and "Summary" not in headings  # only what changed
    added = " ".join(ins.get_text() for ins in section.find_all("ins"))
    removed = " ".join(deleted.get_text() for deleted in section.find_all("del"))
    assert "infection" in added and "redness." in removed  # what was there then, and what is there now


def test_a_reviewer_only_account_records_a_translations_review_from_its_page(reviewer, reviewer_client, editor_client):
    """A medical reviewer who may not edit opens the translation (read only), follows "Record a
    medical review" and records theirs; the editor then publishes it."""
    translated = TranslationFactory(status=ProcedureTranslation.Status.DRAFT, reviewer=None, last_reviewed=None)
    form = page(reviewer_client.get(change_url(translated)))
    [button] = [a for a in form.find_all("a", class_="button") if a.get_text(strip=True) == "Record a medical review"]
    review_page = reviewer_client.get(button["href"])
    assert review_page.status_code == 200 and "next_review_due" not in form_fields(review_page, None)
    rita = Author.objects.get(user=reviewer)
    response = reviewer_client.post(button["href"], {**form_fields(review_page), "reviewed_on": "2026-11-30"}, follow=True)
    assert "recorded" in text(response), error_messages(response)
    translated.refresh_from_db()
    assert (translated.reviewer, str(translated.last_reviewed), translated.status) == (rita, "2026-11-30", "draft")
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.REVIEWED, procedure=translated.procedure)
    assert entry.detail == "the Español translation, by Dr Rita Reviewer" and entry.user == reviewer

    data = form_fields(editor_client.get(change_url(translated)))
    published = editor_client.post(change_url(translated), {**data, "status": "published"}, follow=True)
    assert "was changed successfully" in text(published), error_messages(published)
    assert "Revisado" in text(Client().get(translated.procedure.get_absolute_url().replace("/procedures/", "/es/procedures/", 1)))


def test_only_medical_reviewers_may_record_a_translations_review(editor_client):
    translated = TranslationFactory(status=ProcedureTranslation.Status.DRAFT, reviewer=None, last_reviewed=None)
    address = reverse("admin:procedures_proceduretranslation_review", args=[translated.pk])
    assert editor_client.get(address).status_code == 403
    assert editor_client.post(address, {"reviewed_on": "2026-11-30"}).status_code == 403
    translated.refresh_from_db()
    assert translated.last_reviewed is None
