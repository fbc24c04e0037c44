"""Medical review: recorded by reviewers only, required to publish, shown to patients, chased when due."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from procedures.models import Procedure
from tests.factories import AuthorFactory, ProcedureFactory, UserFactory
from tests.helpers import change_url
from tests.html import error_messages, form_fields, page, text

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def review_url(procedure):
    return reverse("admin:procedures_procedure_review", args=[procedure.pk])


def test_a_reviewer_records_a_review_with_the_usual_interval(reviewer_client, db):
    procedure = ProcedureFactory(status="draft", reviewer=None, last_reviewed=None, next_review_due=None)
    form = page(reviewer_client.get(review_url(procedure)))
    chosen = form.find("select", attrs={"name": "reviewer"}).find("option", selected=True)
    assert chosen.get_text() == "Dr Rita Reviewer"  # their own author profile
    response = reviewer_client.post(review_url(procedure), form_fields(reviewer_client.get(review_url(procedure))), follow=True)
    assert "recorded" in text(response), error_messages(response)
    procedure.refresh_from_db()
    assert procedure.reviewer.name == "Dr Rita Reviewer"
    assert procedure.last_reviewed == TODAY
    assert procedure.next_review_due == TODAY.replace(year=TODAY.year + 2)


def test_editors_cannot_record_a_review(editor_client):
    procedure = ProcedureFactory()
    assert editor_client.get(review_url(procedure)).status_code == 403
    before = procedure.last_reviewed
    assert editor_client.post(review_url(procedure), {"reviewer": procedure.reviewer.pk, "reviewed_on": TODAY}).status_code == 403
    procedure.refresh_from_db()
    assert procedure.last_reviewed == before


def test_the_public_cannot_record_a_review(client, db):
    procedure = ProcedureFactory()
    response = client.get(review_url(procedure))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_editors_cannot_set_review_fields_through_the_page_form(editor_client):
    procedure = ProcedureFactory(status="draft", reviewer=None, last_reviewed=None, next_review_due=None)
    data = form_fields(editor_client.get(change_url(procedure)))
    someone = AuthorFactory(is_qualified_reviewer=True)
    data.update(reviewer=someone.pk, last_reviewed=str(TODAY), next_review_due=str(days(700)))
    editor_client.post(change_url(procedure), data)
    procedure.refresh_from_db()
    assert procedure.reviewer is None and procedure.last_reviewed is None


def test_editing_text_does_not_move_the_reviewed_date(editor_client):
    procedure = ProcedureFactory(last_reviewed=days(-100), next_review_due=days(600))
    data = form_fields(editor_client.get(change_url(procedure)))
    change = {"risks": "New wording.", "is_content_change": "on", "change_note": "Reworded the risks"}
    editor_client.post(change_url(procedure), {**data, **change})
    procedure.refresh_from_db()
    assert procedure.risks == "New wording." and procedure.last_reviewed == days(-100)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"reviewed_on": str(days(1))}, "cannot be recorded for a date in the future"),
        ({"next_review_due": str(days(-5))}, "must be due after this one"),
        ({"reviewed_on": "not a date"}, "Enter a valid date"),
    ],
)
def test_bad_review_dates_get_a_clear_message_and_change_nothing(reviewer_client, changes, message):
    procedure = ProcedureFactory(status="draft", reviewer=None, last_reviewed=None, next_review_due=None)
    data = {**form_fields(reviewer_client.get(review_url(procedure))), **changes}
    response = reviewer_client.post(review_url(procedure), data)
    assert response.status_code == 200
    assert any(message in error for error in error_messages(response)), error_messages(response)
    procedure.refresh_from_db()
    assert procedure.last_reviewed is None


def test_only_qualified_authors_can_be_named_reviewer(reviewer_client):
    procedure = ProcedureFactory()
    unqualified = AuthorFactory(name="Mr Not Adoctor", is_qualified_reviewer=False)
    options = [o.get_text() for o in page(reviewer_client.get(review_url(procedure))).select("select[name=reviewer] option")]
    assert "Mr Not Adoctor" not in options
    data = {**form_fields(reviewer_client.get(review_url(procedure))), "reviewer": unqualified.pk}
    response = reviewer_client.post(review_url(procedure), data)
    assert any("Select a valid choice" in error for error in error_messages(response))


def test_publishing_an_unreviewed_page_is_refused_with_a_clear_error(editor_client):
    procedure = ProcedureFactory(status="draft", reviewer=None, last_reviewed=None, next_review_due=None)
    data = form_fields(editor_client.get(change_url(procedure)))
    response = editor_client.post(change_url(procedure), {**data, "status": "published"})
    assert any("has not had a medical review yet" in error for error in error_messages(response))
    procedure.refresh_from_db()
    assert procedure.status == "draft"


def test_the_database_refuses_publishing_without_a_review(db):
    procedure = ProcedureFactory(status="draft", reviewer=None, last_reviewed=None, next_review_due=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Procedure.objects.filter(pk=procedure.pk).update(status="published", first_published=TODAY)


def test_the_page_says_who_reviewed_it_and_when(client, db):
    reviewer = AuthorFactory(name="Dr Rita Reviewer", credentials="MBBS, FRCP", is_qualified_reviewer=True)
    procedure = ProcedureFactory(reviewer=reviewer, last_reviewed=datetime.date(2026, 3, 4), next_review_due=days(400))
    line = " ".join(page(client.get(procedure.get_absolute_url())).find(class_="review-line").get_text().split())
    assert line.startswith("Medically reviewed by Dr Rita Reviewer, MBBS, FRCP on 4 March 2026 · Next review due")
    assert not page(client.get(procedure.get_absolute_url())).find(class_="notice")


def test_a_page_past_its_review_date_says_so_calmly(client, db):
    procedure = ProcedureFactory(last_reviewed=days(-800), next_review_due=days(-70))
    notice = page(client.get(procedure.get_absolute_url())).find(class_="notice")
    assert "This page is due for review." in notice.get_text()
    assert "Your own doctor can tell you what applies to you." in notice.get_text()


def test_editors_see_what_is_overdue_or_due_soon(editor_client):
    ProcedureFactory(title="Overdue page", last_reviewed=days(-800), next_review_due=days(-3))
    ProcedureFactory(title="Due soon page", last_reviewed=days(-700), next_review_due=days(20))
    ProcedureFactory(title="Fine page", last_reviewed=days(-10), next_review_due=days(500))
    ProcedureFactory(title="New draft", status="draft", reviewer=None, last_reviewed=None, next_review_due=None)
    changelist = reverse("admin:procedures_procedure_changelist")

    def titles(url, **query):
        return [
            a.get_text(strip=True)
            for a in page(editor_client.get(url, query)).select("#result_list tbody tr th, #result_list tbody tr td.field-title")
        ]

    assert titles(changelist, review="overdue") == ["Overdue page"]
    assert titles(changelist, review="due-soon") == ["Due soon page"]
    assert titles(changelist, review="not-reviewed") == ["New draft"]
    column = page(editor_client.get(changelist)).select("td.field-review_due")
    assert any("(review overdue)" in cell.get_text() for cell in column)
    assert any("(review due within 30 days)" in cell.get_text() for cell in column)

    schedule = reverse("admin:procedures_reviewschedule_changelist")
    assert titles(schedule) == ["New draft", "Overdue page", "Due soon page", "Fine page"]


def test_reviewers_can_open_the_review_schedule_but_not_change_pages(reviewer_client):
    procedure = ProcedureFactory()
    assert reviewer_client.get(reverse("admin:procedures_reviewschedule_changelist")).status_code == 200
    data = form_fields(reviewer_client.get(change_url(procedure)))
    reviewer_client.post(change_url(procedure), {**data, "title": "Changed by a reviewer"})
    procedure.refresh_from_db()
    assert procedure.title != "Changed by a reviewer"


# Reminders -------------------------------------------------------------------------------


def reviewer_with_login(name, email):
    user = UserFactory(email=email, is_staff=True)
    return AuthorFactory(name=name, is_qualified_reviewer=True, user=user)


def run_reminders(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("reviewreminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_reminders_email_each_reviewer_their_pages_due(db):
    rita = reviewer_with_login("Dr Rita", "rita@example.org")
    sam = reviewer_with_login("Dr Sam", "sam@example.org")
    ProcedureFactory(title="Overdue page", reviewer=rita, last_reviewed=days(-800), next_review_due=days(-3))
    ProcedureFactory(title="Soon page", reviewer=rita, last_reviewed=days(-700), next_review_due=days(10))
    ProcedureFactory(title="Later page", reviewer=rita, last_reviewed=days(-10), next_review_due=days(300))
    ProcedureFactory(title="Sam's page", reviewer=sam, last_reviewed=days(-10), next_review_due=days(300))

    out, _ = run_reminders()
    assert "E-mailed Dr Rita <rita@example.org> about 2 page(s)." in out
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rita@example.org"]
    assert message.subject == "mesocare: 2 pages due for medical review"
    assert "Overdue page" in message.body and "(review overdue)" in message.body
    assert "Soon page" in message.body and "Later page" not in message.body
    assert "/admin/procedures/procedure/" in message.body


def test_reminders_are_safe_to_run_daily(db, settings):
    rita = reviewer_with_login("Dr Rita", "rita@example.org")
    procedure = ProcedureFactory(reviewer=rita, last_reviewed=days(-800), next_review_due=days(-3))
    run_reminders()
    run_reminders()
    assert len(mail.outbox) == 1  # not again the next day
    Procedure.objects.filter(pk=procedure.pk).update(review_reminder_sent=days(-settings.REVIEW_REMINDER_EVERY_DAYS))
    run_reminders()
    assert len(mail.outbox) == 2  # but again a week later


def test_reminders_dry_run_sends_nothing(db):
    rita = reviewer_with_login("Dr Rita", "rita@example.org")
    ProcedureFactory(reviewer=rita, last_reviewed=days(-800), next_review_due=days(-3))
    out, _ = run_reminders("--dry-run")
    assert "Would e-mail Dr Rita" in out
    assert mail.outbox == []
    run_reminders()
    assert len(mail.outbox) == 1


def test_a_reviewer_without_an_address_is_reported(db):
    nobody = AuthorFactory(name="Dr No Login", is_qualified_reviewer=True)
    ProcedureFactory(reviewer=nobody, last_reviewed=days(-800), next_review_due=days(-3))
    _, err = run_reminders()
    assert "Dr No Login has 1 page(s) due but no login with an e-mail address" in err
    assert mail.outbox == []


def test_recording_a_review_clears_the_reminder(reviewer_client, reviewer):
    procedure = ProcedureFactory(reviewer=reviewer.author_profile, last_reviewed=days(-800), next_review_due=days(-3))
    run_reminders()
    reviewer_client.post(review_url(procedure), form_fields(reviewer_client.get(review_url(procedure))))
    procedure.refresh_from_db()
    assert procedure.review_reminder_sent is None and procedure.next_review_due > TODAY
    assert Client().get(procedure.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("object_id", ["abc", "1.5", "'", "%00"])
def test_a_review_address_with_a_bad_page_number_is_not_found(reviewer_client, object_id):
    response = reviewer_client.get(f"/admin/procedures/procedure/{object_id}/review/")
    assert response.status_code in (302, 404)  # 302: the admin's own "no such object" redirect


def test_a_review_cannot_be_dated_long_ago(reviewer_client):
    procedure = ProcedureFactory()
    review = reverse("admin:procedures_procedure_review", args=[procedure.pk])
    response = reviewer_client.post(review, {**form_fields(reviewer_client.get(review)), "reviewed_on": "0001-01-01"})
    assert any("That date looks wrong" in error for error in error_messages(response))
