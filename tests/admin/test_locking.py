"""Two editors, one page: the second save never silently overwrites the first."""

import threading

import pytest
from django.db import connection
from django.test import Client

from procedures.models import EditConflict, Procedure
from tests.factories import ProcedureFactory, make_editor
from tests.helpers import change_url
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
