"""Two editors, one page: the second save never silently overwrites the first."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from procedures.contentfiles import dump_content, load_content
from procedures.models import EditConflict, Procedure, SitePage
from procedures.publishing.content import save_content
from tests.factories import AuthorFactory, DisclaimerFactory, ProcedureFactory, UserFactory, make_editor
from tests.helpers import change_url, restore
from tests.html import error_messages, form_fields, page, text

CONFLICT = "Someone else saved this page after you opened it"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_second_editors_save_is_refused_with_what_changed_and_their_text_kept(db):
    procedure = ProcedureFactory(risks="Bruising is common.")
    alex, sam = logged_in(make_editor(username="alex")), logged_in(make_editor(username="sam"))
    alex_form = form_fields(alex.get(change_url(procedure)))
    sam_form = form_fields(sam.get(change_url(procedure)))

    first = alex.post(change_url(procedure), {**alex_form, "risks": "Bruising and swelling are common."}, follow=True)
    assert "was changed successfully" in text(first)

    second = sam.post(change_url(procedure), {**sam_form, "risks": "Bruising is common. Scars are rare."})
    assert second.status_code == 200
    assert any(CONFLICT in error for error in error_messages(second))
    html = page(second)
    assert html.find("textarea", attrs={"name": "risks"}).get_text().strip() == "Bruising is common. Scars are rare."
    meanwhile = html.find("section", class_="changed-meanwhile")
    assert meanwhile.find("del").get_text() == "is"  # what Alex changed
    assert meanwhile.find("ins").get_text() == "and swelling are"
    procedure.refresh_from_db()
    assert procedure.risks == "Bruising and swelling are common."

    # Having seen Alex's change, Sam saves again: the form now knows the latest version.
    again = {**form_fields(second), "risks": "Bruising and swelling are common. Scars are rare."}
    third = sam.post(change_url(procedure), again, follow=True)
    assert "was changed successfully" in text(third), error_messages(third)
    procedure.refresh_from_db()
    assert procedure.risks == "Bruising and swelling are common. Scars are rare."


def test_saving_twice_in_a_row_by_the_same_editor_is_not_a_conflict(editor_client):
    procedure = ProcedureFactory()
    for words in ("One.", "Two."):
        response = editor_client.post(
            change_url(procedure), {**form_fields(editor_client.get(change_url(procedure))), "risks": words}, follow=True
        )
        assert "was changed successfully" in text(response), error_messages(response)


def test_the_database_refuses_a_save_from_an_old_version(db):
    procedure = ProcedureFactory()
    opened = procedure.edit_version
    Procedure.objects.get(pk=procedure.pk).save(started_from=opened)  # someone else saves
    procedure.risks = "Mine."
    with pytest.raises(EditConflict):
        procedure.save(started_from=opened)
    assert Procedure.objects.get(pk=procedure.pk).risks != "Mine."


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_one_wins_and_the_other_is_told(shipped_content_committed):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database takes one writer at a time; CI runs this on PostgreSQL")
    procedure = Procedure.objects.get(slug="mesotherapy")
    editors = [logged_in(make_editor(username=name)) for name in ("alex", "sam")]
    forms = [form_fields(client.get(change_url(procedure))) for client in editors]
    both_ready = threading.Barrier(2)
    responses = [None, None]

    def save(number):
        try:
            both_ready.wait(timeout=10)
            data = {**forms[number], "risks": f"Edited by editor {number}."}
            responses[number] = editors[number].post(change_url(procedure), data)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    saved = [response.status_code == 302 for response in responses]
    assert sorted(saved) == [False, True], [r.status_code for r in responses]
    loser = responses[saved.index(False)]
    assert any(CONFLICT in error for error in error_messages(loser))
    winner = saved.index(True)
    procedure.refresh_from_db()
    assert procedure.risks == f"Edited by editor {winner}."
    assert page(loser).find("textarea", attrs={"name": "risks"}).get_text().strip() == f"Edited by editor {1 - winner}."


# A save that does not say which version it started from --------------------------------------

MISSING = "sent without the version of the page it was opened from"


def site_page():
    return SitePage.objects.create(title="About us", slug="about-us", body="Who we are.")


PAGES = {  # every kind of page editors open and save: (make one, its Markdown text field)
    "procedure": (lambda: ProcedureFactory(risks="Bruising is common."), "risks"),
    "author": (lambda: AuthorFactory(bio="Trained in London."), "bio"),
    "disclaimer": (lambda: DisclaimerFactory(body="Ask your doctor."), "body"),
    "site page": (site_page, "body"),
}


@pytest.mark.parametrize("kind", PAGES)
@pytest.mark.parametrize("opened_version", [None, "", "not a number"])
def test_a_change_without_the_version_it_was_opened_from_is_refused_with_the_text_kept(db, kind, opened_version):
    make, field = PAGES[kind]
    obj = make()
    editor = logged_in(UserFactory(is_staff=True, is_superuser=True))
    form = form_fields(editor.get(change_url(obj)))
    assert form.pop("opened_version") == str(obj.edit_version)
    other = logged_in(make_editor(username="sam"))
    saved_by_other = other.post(change_url(obj), {**form_fields(other.get(change_url(obj))), field: "Sam's words."})
    assert saved_by_other.status_code == 302

    sent = {**form, field: "My words.\r\n\r\n    An indented line."}
    if opened_version is not None:
        sent["opened_version"] = opened_version
    response = editor.post(change_url(obj), sent)

    assert response.status_code == 200
    assert any(MISSING in error for error in error_messages(response)), error_messages(response)
    assert not any("whole number" in error for error in error_messages(response))
    typed = page(response).find("textarea", attrs={"name": field}).get_text()
    assert typed.replace("\r\n", "\n").strip("\n") == "My words.\n\n    An indented line."
    obj.refresh_from_db()
    assert getattr(obj, field) == "Sam's words."

    # Having looked at the page as it is now, the editor saves the form shown again: it goes through.
    again = editor.post(change_url(obj), form_fields(response), follow=True)
    assert "was changed successfully" in text(again), error_messages(again)
    obj.refresh_from_db()
    assert getattr(obj, field) == "My words.\n\n    An indented line."  # as typed, lines ending in LF


def test_a_preview_without_the_opened_version_says_so(editor_client):
    procedure = ProcedureFactory()
    form = form_fields(editor_client.get(change_url(procedure)))
    del form["opened_version"]
    response = editor_client.post(reverse("admin:procedures_procedure_preview", args=[procedure.pk]), form)
    assert response.status_code == 400 and MISSING in text(response)


def test_a_new_page_needs_no_version(editor_client):
    data = form_fields(editor_client.get(reverse("admin:procedures_sitepage_add")))
    assert not data.get("opened_version")
    response = editor_client.post(
        reverse("admin:procedures_sitepage_add"), {**data, "title": "New", "slug": "new-page", "body": "Hi."}
    )
    assert response.status_code == 302, error_messages(response)
    assert SitePage.objects.get(slug="new-page").body == "Hi."


def test_the_content_loader_and_scripts_still_save_without_a_version(db, tmp_path):
    procedure = ProcedureFactory(risks="Before.")
    procedure.risks = "Saved by a script."
    save_content(procedure)  # says no version: nothing to compare it with, and nothing refused
    procedure.refresh_from_db()
    assert procedure.risks == "Saved by a script." and procedure.edit_version == 2
    dump_content(tmp_path)
    path = tmp_path / "procedures" / f"{procedure.slug}.md"
    path.write_text(path.read_text().replace("Saved by a script.", "Changed in the file."))
    assert load_content(tmp_path, force=True).updated == [f"{tmp_path.name}/procedures/{procedure.slug}.md"]
    procedure.refresh_from_db()
    assert procedure.risks == "Changed in the file."


# Recording a medical review -------------------------------------------------------------------


def review_url(procedure):
    return reverse("admin:procedures_procedure_review", args=[procedure.pk])


def test_a_review_recorded_meanwhile_is_not_replaced_unseen(reviewer_client, reviewer):
    procedure = ProcedureFactory()
    first = procedure.reviewer
    mine = form_fields(reviewer_client.get(review_url(procedure)))
    other = Client()
    other.force_login(UserFactory(is_staff=True, is_superuser=True))
    theirs = {**form_fields(other.get(review_url(procedure))), "reviewer": first.pk, "reviewed_on": "2026-01-05"}
    assert other.post(review_url(procedure), theirs).status_code == 302

    response = reviewer_client.post(review_url(procedure), mine)
    assert response.status_code == 200
    assert any("Another medical review was recorded" in error for error in error_messages(response))
    assert f"{first} on 5 January 2026" in text(response)
    procedure.refresh_from_db()
    assert procedure.reviewer == first and str(procedure.last_reviewed) == "2026-01-05"

    again = reviewer_client.post(review_url(procedure), form_fields(response), follow=True)
    assert "recorded" in text(again), error_messages(again)
    procedure.refresh_from_db()
    assert procedure.reviewer == reviewer.author_profile


def test_a_review_sent_without_the_review_it_was_opened_with_is_refused(reviewer_client):
    procedure = ProcedureFactory()
    before = (procedure.reviewer_id, procedure.last_reviewed)
    form = form_fields(reviewer_client.get(review_url(procedure)))
    del form["opened_review"]
    response = reviewer_client.post(review_url(procedure), form)
    assert any("sent without the review the page had" in error for error in error_messages(response))
    procedure.refresh_from_db()
    assert (procedure.reviewer_id, procedure.last_reviewed) == before


# Restoring a version ----------------------------------------------------------------------------


def test_a_restore_after_someone_else_saved_is_refused(editor_client):
    procedure = ProcedureFactory(risks="Version one.")
    edit = form_fields(editor_client.get(change_url(procedure)))
    editor_client.post(change_url(procedure), {**edit, "risks": "Version two."})
    first = Version.objects.get_for_object(procedure).last()
    compare = editor_client.get(reverse("admin:procedures_procedure_compare", args=[procedure.pk, first.pk]))
    restore_form = form_fields(compare)
    assert restore_form["opened_version"] == str(Procedure.objects.get(pk=procedure.pk).edit_version)

    sam = logged_in(make_editor(username="sam"))
    sam.post(change_url(procedure), {**form_fields(sam.get(change_url(procedure))), "risks": "Sam's new advice."})
    address = reverse("admin:procedures_procedure_restore", args=[procedure.pk, first.pk])
    response = editor_client.post(address, restore_form, follow=True)
    assert "Someone else saved this page after you opened this comparison" in text(response)
    assert page(response).select_one(".compare__diff ins").get_text() == "Sam's"  # compared with the page now
    procedure.refresh_from_db()
    assert procedure.risks == "Sam's new advice."

    response = editor_client.post(address, {}, follow=True)
    assert "sent without the version of the page it was compared with" in text(response)
    procedure.refresh_from_db()
    assert procedure.risks == "Sam's new advice."

    assert "Restored the version saved" in text(restore(editor_client, procedure, first, follow=True))
    procedure.refresh_from_db()
    assert procedure.risks == "Version one."


def test_reversions_own_revert_form_is_not_a_way_around(editor_client):
    procedure = ProcedureFactory(risks="Version one.")
    editor_client.post(change_url(procedure), {**form_fields(editor_client.get(change_url(procedure))), "risks": "Two."})
    first = Version.objects.get_for_object(procedure).last()
    revert = reverse("admin:procedures_procedure_revision", args=[procedure.pk, first.pk])
    compare = reverse("admin:procedures_procedure_compare", args=[procedure.pk, first.pk])
    assert editor_client.get(revert)["Location"] == compare
    data = {**form_fields(editor_client.get(change_url(procedure))), "opened_version": first.field_dict["edit_version"]}
    assert editor_client.post(revert, data)["Location"] == compare
    procedure.refresh_from_db()
    assert procedure.risks == "Two."
