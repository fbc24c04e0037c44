"""Preview before publishing, publishing at a set time (with no background process), the audit log."""

import datetime
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from procedures.models import AuditEntry, Procedure
from procedures.publishing import audit
from procedures.publishing.content import save_content
from tests.factories import AuthorFactory, ProcedureFactory, SpecialtyFactory, UserFactory, make_editor
from tests.helpers import change_url, restore
from tests.html import error_messages, form_fields, page, text

NOW = timezone.now()


# Preview ---------------------------------------------------------------------------------------


def preview(client, procedure, **changes):
    data = {**form_fields(client.get(change_url(procedure))), **changes}
    return client.post(reverse("admin:procedures_procedure_preview", args=[procedure.pk]), data)


def test_the_change_form_offers_a_preview(editor_client):
    procedure = ProcedureFactory()
    button = page(editor_client.get(change_url(procedure))).find("button", formaction=True)
    assert button["formaction"] == reverse("admin:procedures_procedure_preview", args=[procedure.pk])
    assert button["formtarget"] == "_blank"


def test_preview_shows_unsaved_changes_as_patients_will_see_them_at_two_widths_and_saves_nothing(editor_client):
    procedure = ProcedureFactory(status="draft", first_published=None, risks="Old words.")
    response = preview(editor_client, procedure, risks="New **words**.", title="Renamed page")
    assert response.status_code == 200
    frames = page(response).find_all("iframe")
    assert [frame["width"] for frame in frames] == ["390", "1280"]
    shown = editor_client.get(frames[0]["src"])
    html = page(shown)
    assert html.h1.get_text() == "Renamed page"
    assert html.find(id="risks-and-side-effects").find("strong").get_text() == "words"
    assert "Preview — not saved" in text(shown)
    assert shown["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in shown["Content-Security-Policy"]
    procedure.refresh_from_db()
    assert procedure.risks == "Old words." and procedure.title != "Renamed page"
    assert Client().get(procedure.get_absolute_url()).status_code == 404  # still a draft


def test_preview_of_a_new_page(editor_client):
    add = reverse("admin:procedures_procedure_add")
    data = form_fields(editor_client.get(add))
    data.update(
        title="Brand new", slug="brand-new", summary="New.", author=AuthorFactory().pk, specialties=[SpecialtyFactory().pk]
    )
    data.update(what_it_is="It is new.", status="draft")
    response = editor_client.post(reverse("admin:procedures_procedure_preview_new"), data)
    frame = page(response).find("iframe")
    assert page(editor_client.get(frame["src"])).h1.get_text() == "Brand new"
    assert not Procedure.objects.filter(slug="brand-new").exists()


def test_preview_with_form_errors_says_what_to_fix(editor_client):
    procedure = ProcedureFactory()
    response = preview(editor_client, procedure, summary="")
    assert response.status_code == 400
    assert "cannot be previewed" in text(response) and "This field is required" in text(response)


def test_previews_are_for_staff_only(editor_client, client, db):
    procedure = ProcedureFactory()
    src = page(preview(editor_client, procedure)).find("iframe")["src"]
    assert Client().get(src).status_code == 302  # to the login page
    other = Client()
    other.force_login(make_editor(username="someone-else"))
    assert other.get(src).status_code == 404  # a preview is only for the editor who asked
    assert Client().post(reverse("admin:procedures_procedure_preview", args=[procedure.pk])).status_code == 302


def test_a_preview_never_reaches_the_public_page(editor_client):
    procedure = ProcedureFactory(risks="Public words.")
    preview(editor_client, procedure, risks="Secret preview words.")
    assert "Secret preview words." not in text(Client().get(procedure.get_absolute_url()))


# Publishing at a set time --------------------------------------------------------------------


def test_a_page_scheduled_in_the_past_is_live_and_one_in_the_future_is_not(client, db):
    earlier = ProcedureFactory(title="Went live", publish_at=NOW - datetime.timedelta(hours=1))
    later = ProcedureFactory(title="Goes live tomorrow", publish_at=NOW + datetime.timedelta(days=1))
    assert client.get(earlier.get_absolute_url()).status_code == 200
    assert client.get(later.get_absolute_url()).status_code == 404
    listed = text(client.get("/procedures/"))
    assert "Went live" in listed and "Goes live tomorrow" not in listed
    assert "Goes live tomorrow" not in client.get("/api/v1/procedures/").content.decode()
    assert "Goes live tomorrow" not in client.get("/feeds/updates/").content.decode()


def test_a_scheduled_page_goes_live_on_its_own_when_its_time_comes(client, db):
    procedure = ProcedureFactory(publish_at=NOW + datetime.timedelta(days=1))
    assert client.get(procedure.get_absolute_url()).status_code == 404
    # Time passes; nothing runs in between. (The same row, with its time now behind it.)
    Procedure.objects.filter(pk=procedure.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(procedure.get_absolute_url()).status_code == 200


def test_a_page_withdrawn_at_a_set_time_answers_410(client, db):
    procedure = ProcedureFactory(unpublish_at=NOW - datetime.timedelta(minutes=5))
    assert client.get(procedure.get_absolute_url()).status_code == 410
    assert not Procedure.objects.published().filter(pk=procedure.pk).exists()


def test_editors_schedule_a_page_and_see_when_it_goes_live(editor_client):
    procedure = ProcedureFactory(status="draft", first_published=None)
    when = timezone.localtime(NOW + datetime.timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    data = {**form_fields(editor_client.get(change_url(procedure))), "status": "published"}
    data.update({"publish_at": when.strftime("%Y-%m-%dT%H:%M")})
    response = editor_client.post(change_url(procedure), data, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    procedure.refresh_from_db()
    assert procedure.is_scheduled and procedure.publish_at == when
    assert Client().get(procedure.get_absolute_url()).status_code == 404
    changelist = reverse("admin:procedures_procedure_changelist")
    scheduled = text(editor_client.get(changelist, {"publishing": "scheduled"}))
    assert procedure.title in scheduled and f"goes live {when.day} {when:%b %Y} 09:30" in scheduled
    staff_view = editor_client.get(procedure.get_absolute_url())
    assert "Scheduled — not live yet." in text(staff_view)


def test_withdrawing_before_going_live_is_refused(editor_client):
    procedure = ProcedureFactory()
    data = {**form_fields(editor_client.get(change_url(procedure)))}
    data.update({"publish_at": "2030-01-02T10:00", "unpublish_at": "2030-01-01T10:00"})
    response = editor_client.post(change_url(procedure), data)
    assert "The page must be withdrawn after it goes live." in error_messages(response)


# The audit log -------------------------------------------------------------------------------


def actions(procedure=None):
    entries = AuditEntry.objects.all() if procedure is None else AuditEntry.objects.filter(page=procedure.title)
    return [(entry.who, entry.action) for entry in entries.order_by("at", "pk")]


def test_publishing_unpublishing_and_address_changes_are_logged_with_who(editor_client, editor):
    procedure = ProcedureFactory(status="draft", first_published=None)
    AuditEntry.objects.all().delete()
    form = lambda: form_fields(editor_client.get(change_url(procedure)))  # noqa: E731
    editor_client.post(change_url(procedure), {**form(), "status": "published"})
    editor_client.post(change_url(procedure), {**form(), "slug": "new-address"})
    editor_client.post(change_url(procedure), {**form(), "status": "draft"})
    procedure.refresh_from_db()
    assert actions(procedure) == [(editor.username, "published"), (editor.username, "address"), (editor.username, "unpublished")]
    assert AuditEntry.objects.get(action="address").detail.endswith("→ /procedures/new-address/")


def test_deleting_restoring_and_reviews_are_logged(reviewer_client, reviewer, editor_client, editor):
    procedure = ProcedureFactory(title="Logged page")
    AuditEntry.objects.all().delete()  # made by the factory, not by anyone here
    review = reverse("admin:procedures_procedure_review", args=[procedure.pk])
    reviewer_client.post(review, form_fields(reviewer_client.get(review)))
    editor_client.post(change_url(procedure), {**form_fields(editor_client.get(change_url(procedure))), "risks": "Edited."})
    first = Version.objects.get_for_object(procedure).last()
    restore(editor_client, procedure, first)
    admin = Client()
    superuser = UserFactory(is_staff=True, is_superuser=True, username="boss")
    admin.force_login(superuser)
    admin.post(reverse("admin:procedures_procedure_delete", args=[procedure.pk]), {"post": "yes"})
    assert actions() == [(reviewer.username, "reviewed"), (editor.username, "restored"), ("boss", "deleted")]


def test_the_audit_log_is_readable_filterable_and_not_changeable(editor_client, db):
    procedure = ProcedureFactory(title="Audited page")
    entry = audit.record(AuditEntry.Action.PUBLISHED, procedure, user=UserFactory(username="kim"))
    changelist = reverse("admin:procedures_auditentry_changelist")

    def rows(**query):
        return [
            row.get_text(" ", strip=True) for row in page(editor_client.get(changelist, query)).select("#result_list tbody tr")
        ]

    assert any("kim published Audited page" in row for row in rows(who__exact="kim"))
    assert rows(who__exact="kim", page__exact="Another page") == []
    assert all("Audited page" in row for row in rows(page__exact="Audited page"))
    boss = Client()
    boss.force_login(UserFactory(is_staff=True, is_superuser=True))
    for client in (editor_client, boss):
        assert client.get(reverse("admin:procedures_auditentry_add")).status_code == 403
        assert (
            client.post(reverse("admin:procedures_auditentry_change", args=[entry.pk]), {"action": "deleted"}).status_code == 403
        )
        assert client.post(reverse("admin:procedures_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "published"


@pytest.mark.parametrize("url", ["/admin/procedures/auditentry/", "/admin/procedures/procedure/recover/"])
def test_reviewers_see_the_audit_log_but_cannot_recover_pages(reviewer_client, url):
    expected = 200 if "auditentry" in url else 403
    assert reviewer_client.get(url).status_code == expected


def test_a_scheduled_withdrawal_drops_out_of_cached_pages_at_once(client, db):
    skin = ProcedureFactory(title="Peel")
    other = ProcedureFactory(title="Laser", specialties=list(skin.specialties.all()))
    assert "Laser" in page(client.get(skin.get_absolute_url())).find(id="related-treatments").get_text()
    other.unpublish_at = timezone.now() + datetime.timedelta(seconds=1)
    save_content(other)
    assert "Laser" in client.get(skin.get_absolute_url()).content.decode()  # cached while it is live
    time.sleep(1.2)  # its withdrawal time passes; nothing runs in between
    related = page(client.get(skin.get_absolute_url())).find(id="related-treatments")
    assert related is None or "Laser" not in related.get_text()


def test_recovering_a_deleted_page_is_in_the_audit_log(editor_client, editor):
    procedure = ProcedureFactory(title="Back again")  # made outside the admin: no version yet
    boss = Client()
    boss.force_login(UserFactory(is_staff=True, is_superuser=True))
    boss.post(reverse("admin:procedures_procedure_delete", args=[procedure.pk]), {"post": "yes"})
    version = Version.objects.get_deleted(Procedure).first()
    recover = reverse("admin:procedures_procedure_recover", args=[version.pk])
    response = editor_client.post(recover, form_fields(editor_client.get(recover)), follow=True)
    assert response.status_code == 200, error_messages(response)
    assert AuditEntry.objects.filter(action="recovered", page="Back again", user=editor).exists()
