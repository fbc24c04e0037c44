"""Translations in the admin, as an editor and a medical reviewer use them: the list with its
filters, the form (prefilled from the page, no publishing without a review, no silent
overwrites) and the page's own list of its translations."""

import reversion
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from procedures.models import AuditEntry, Author, ProcedureTranslation
from procedures.publishing.content import save_content
from procedures.roles import editors_group
from tests.factories import AuthorFactory, ProcedureFactory, TranslationFactory, make_editor
from tests.helpers import change_url, restore
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


# The editor: live preview in the translation's language, the page's preview, readability ------

ARABIC = {"title": "الميزوثيرابي", "summary": "حقن صغيرة في الجلد.", "what_it_is": "علاج بحقن صغيرة.", "risks": "كدمات."}
HARD_SPANISH = (
    "La mesoterapia constituye una intervención terapéutica mínimamente invasiva caracterizada por la administración "
    "intradérmica de microdosis farmacológicas, habitualmente polivitamínicas, destinadas a estimular la regeneración tisular."
)


def preview_of(client, translated, **changes):
    data = {**form_fields(client.get(change_url(translated))), **changes}
    return client.post(reverse("admin:procedures_proceduretranslation_preview", args=[translated.pk]), data)


def test_each_text_box_is_the_markdown_editor_written_and_previewed_in_the_translations_language(editor_client):
    arabic = TranslationFactory(language="ar", **ARABIC)
    form = page(editor_client.get(change_url(arabic)))
    box = form.find("textarea", attrs={"name": "risks"})
    assert (box["lang"], box["dir"]) == ("ar", "rtl") and "markdownx-editor" in box["class"]
    assert form.find("input", attrs={"name": "title"})["dir"] == "rtl"
    live = box["data-markdownx-urls-path"]
    assert live == reverse("admin:procedures_proceduretranslation_live_preview", args=["ar"])

    shown = page(editor_client.post(live, {"content": "**كدمات** خفيفة.<script>alert(1)</script>"}))
    preview = shown.find("div", lang="ar")
    assert preview["dir"] == "rtl" and preview.find("strong").get_text() == "كدمات"
    assert shown.find("script") is None  # the page's own sanitiser
    note = shown.find("p", class_="editor-readability").get_text()
    assert "No reading-ease measure exists for Arabic" in note and "Flesch" not in note


def test_a_new_translations_text_boxes_follow_the_language_chosen(editor_client):
    procedure = ProcedureFactory()
    form = page(editor_client.get(f"{ADD}?procedure={procedure.pk}&language=es"))
    box = form.find("textarea", attrs={"name": "what_it_is"})
    assert (box["lang"], box["dir"]) == ("es", "ltr") and box["data-markdownx-urls-path"].endswith("/live-preview/es/")
    unchosen = page(editor_client.get(ADD)).find("textarea", attrs={"name": "what_it_is"})
    assert "lang" not in unchosen.attrs and unchosen["data-markdownx-urls-path"].endswith("/live-preview/")
    assert editor_client.post(unchosen["data-markdownx-urls-path"], {"content": "Hola."}).content.decode() == "<p>Hola.</p>"


def test_the_live_preview_measures_spanish_in_spanish(editor_client):
    live = reverse("admin:procedures_proceduretranslation_live_preview", args=["es"])
    easy = page(editor_client.post(live, {"content": "Es un tratamiento. Se hace en la consulta."}))
    note = easy.find("p", class_="editor-readability").get_text()
    assert "Fernández Huerta" in note and "Szigriszt-Pazos (INFLESZ)" in note and "Harder than the target" not in note
    assert "Flesch–Kincaid" not in note and "grade" not in note
    hard = page(editor_client.post(live, {"content": HARD_SPANISH})).find("p", class_="editor-readability")
    assert "Harder than the target" in hard.get_text()
    assert editor_client.post(reverse("admin:procedures_proceduretranslation_live_preview", args=["xx"]), {}).status_code == 404


def test_the_form_shows_the_reading_ease_in_the_translations_language_and_warns_on_saving_hard_text(editor_client):
    spanish = TranslationFactory(what_it_is="Es un tratamiento. Se hace en la consulta.")
    assert "Fernández Huerta" in text(editor_client.get(change_url(spanish)))
    arabic = TranslationFactory(language="ar", **ARABIC)
    shown = text(editor_client.get(change_url(arabic)))
    assert "No reading-ease measure exists for Arabic" in shown and "Fernández Huerta" not in shown

    data = form_fields(editor_client.get(change_url(spanish)))
    response = editor_client.post(change_url(spanish), {**data, "what_it_is": HARD_SPANISH}, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    assert "harder to read than the target. The translation was saved." in text(response)


def test_the_translations_form_offers_the_pages_preview(editor_client):
    translated = TranslationFactory()
    button = page(editor_client.get(change_url(translated))).find("button", formaction=True)
    assert button["formaction"] == reverse("admin:procedures_proceduretranslation_preview", args=[translated.pk])
    assert button["formtarget"] == "_blank"


def test_the_preview_shows_the_unsaved_translation_as_patients_will_see_it_right_to_left(editor_client):
    procedure = ProcedureFactory(title="Mesotherapy")
    arabic = TranslationFactory(procedure=procedure, language="ar", status="draft", **ARABIC)
    response = preview_of(editor_client, arabic, risks="**كدمات** واحمرار.", title="الميزوثيرابي للوجه")
    assert response.status_code == 200
    frames = page(response).find_all("iframe")
    assert [frame["width"] for frame in frames] == ["390", "1280"]
    shown = editor_client.get(frames[0]["src"])
    html = page(shown)
    assert (html.html["lang"], html.html["dir"]) == ("ar", "rtl")
    assert html.h1.get_text() == "الميزوثيرابي للوجه"
    assert html.find(id="risks-and-side-effects").find_next("strong").get_text() == "كدمات"
    assert html.find(class_="draft-banner") is not None and "Mesotherapy" not in html.h1.get_text()
    assert "private" in shown["Cache-Control"] and shown["X-Frame-Options"] == "SAMEORIGIN"
    arabic.refresh_from_db()
    assert arabic.title == ARABIC["title"] and arabic.risks == ARABIC["risks"]
    assert Client().get("/ar/procedures/mesotherapy/".replace("mesotherapy", procedure.slug)).status_code == 200
    assert "الميزوثيرابي للوجه" not in text(Client().get(f"/ar/procedures/{procedure.slug}/"))


def test_a_new_translation_is_previewed_in_its_language_and_not_saved(editor_client):
    procedure = ProcedureFactory()
    data = form_fields(editor_client.get(f"{ADD}?procedure={procedure.pk}&language=es"))
    data.update(title="Mesoterapia nueva", summary="Pequeñas inyecciones.", what_it_is="Es nuevo.")
    data["translated_by"] = AuthorFactory().pk
    response = editor_client.post(reverse("admin:procedures_proceduretranslation_preview_new"), data)
    shown = page(editor_client.get(page(response).find("iframe")["src"]))
    assert shown.html["lang"] == "es" and shown.h1.get_text() == "Mesoterapia nueva"
    assert not ProcedureTranslation.objects.exists()


def test_a_translation_preview_with_form_errors_says_what_to_fix(editor_client):
    translated = TranslationFactory(status="draft", reviewer=None, last_reviewed=None)
    response = preview_of(editor_client, translated, status="published", title="")
    assert response.status_code == 400
    shown = text(response)
    assert "cannot be previewed" in shown and "This field is required" in shown and "medical review" in shown


def test_translation_previews_are_for_their_editor_only(editor_client):
    translated = TranslationFactory()
    src = page(preview_of(editor_client, translated)).find("iframe")["src"]
    assert Client().get(src).status_code == 302  # to the login page
    other = Client()
    other.force_login(make_editor(username="someone-else"))
    assert other.get(src).status_code == 404
    assert Client().post(reverse("admin:procedures_proceduretranslation_preview", args=[translated.pk])).status_code == 302
    assert editor_client.post(reverse("admin:procedures_proceduretranslation_preview", args=[99999])).status_code == 404


# Revisions and the audit log ------------------------------------------------------------------


def audit_details(procedure):
    """The page's audit log entries about its translations, oldest first."""
    entries = AuditEntry.objects.filter(procedure=procedure, detail__contains="translation").order_by("pk")
    return [(entry.action, entry.detail) for entry in entries]


def test_publishing_and_withdrawing_a_translation_is_in_the_pages_audit_log(editor, editor_client):
    translated = TranslationFactory(status="draft")
    data = form_fields(editor_client.get(change_url(translated)))
    editor_client.post(change_url(translated), {**data, "status": "published"})
    data = form_fields(editor_client.get(change_url(translated)))
    editor_client.post(change_url(translated), {**data, "status": "draft"})
    data = form_fields(editor_client.get(change_url(translated)))
    editor_client.post(change_url(translated), {**data, "title": "Mesoterapia facial"})  # no change of status
    assert audit_details(translated.procedure) == [
        ("published", "the Español translation"),
        ("unpublished", "the Español translation"),
    ]
    assert set(AuditEntry.objects.filter(detail__contains="translation").values_list("user", flat=True)) == {editor.pk}


def test_restoring_a_translations_version_is_audited_and_keeps_it_out_of_date(editor_client):
    procedure = ProcedureFactory()
    translated = TranslationFactory(procedure=procedure, title="Mesoterapia")
    data = form_fields(editor_client.get(change_url(translated)))
    editor_client.post(change_url(translated), {**data, "title": "Mesoterapia facial"})
    save_content(procedure, change_note="Added the risk of infection")
    translated.refresh_from_db()
    assert translated.is_out_of_date
    first = Version.objects.get_for_object(translated).order_by("pk").first()

    response = restore(editor_client, translated, first, follow=True)
    assert "It is saved as a new version" in text(response), error_messages(response)
    translated.refresh_from_db()
    assert translated.title == "Mesoterapia" and translated.is_out_of_date  # the English page still moved on
    [(action, detail)] = audit_details(procedure)
    assert action == "restored" and detail.startswith("the Español translation, to the version saved")


def test_restoring_text_older_than_the_text_it_replaces_marks_it_out_of_date(editor_client):
    procedure = ProcedureFactory()
    translated = TranslationFactory(procedure=procedure, title="Mesoterapia")
    data = form_fields(editor_client.get(change_url(translated)))
    editor_client.post(change_url(translated), data)  # the first version, from the page as it was
    procedure.risks = "Bruising."
    save_content(procedure)  # a new version of the page (no change note: nothing falls behind)
    procedure.refresh_from_db()
    data = form_fields(editor_client.get(change_url(translated)))
    editor_client.post(change_url(translated), {**data, "title": "Al día", "translated_from": procedure.edit_version})
    translated.refresh_from_db()
    assert not translated.is_out_of_date
    first = Version.objects.get_for_object(translated).order_by("pk").first()
    restore(editor_client, translated, first)
    translated.refresh_from_db()
    assert translated.title == "Mesoterapia" and translated.is_out_of_date


def test_deleting_and_recovering_a_translation_is_audited(superuser_client):
    translated = TranslationFactory()
    procedure = translated.procedure
    delete = reverse("admin:procedures_proceduretranslation_delete", args=[translated.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 302
    assert not ProcedureTranslation.objects.exists()
    procedure.risks = "Bruising."
    save_content(procedure)  # the page moves on meanwhile
    [version] = Version.objects.get_deleted(ProcedureTranslation)
    recover = superuser_client.get(reverse("admin:procedures_proceduretranslation_recover", args=[version.pk]))
    superuser_client.post(recover.wsgi_request.path, form_fields(recover))
    recovered = ProcedureTranslation.objects.get()
    assert recovered.is_out_of_date  # translated from an older version of the page than the one now
    assert [action for action, _ in audit_details(procedure)] == ["deleted", "recovered"]


def test_the_list_of_pages_shows_each_languages_translation_state(editor_client):
    procedure = ProcedureFactory(title="Mesotherapy")
    TranslationFactory(procedure=procedure, language="es")
    listed = text(editor_client.get(reverse("admin:procedures_procedure_changelist")))
    assert "Español: Published, medically reviewed" in listed
    assert "العربيّة: Missing" in listed
