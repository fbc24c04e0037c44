"""Editors never lose work: every save is kept, compared word by word, restored in one step."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from procedures.models import Author, Disclaimer, FormerSlug, Procedure, SitePage
from procedures.publishing.content import save_content
from procedures.publishing.revisions import word_diff
from tests.factories import AuthorFactory, DisclaimerFactory, ProcedureFactory, UserFactory
from tests.helpers import change_url, restore
from tests.html import error_messages, form_fields, page, text


def edit(client, obj, **changes):
    response = client.post(change_url(obj), {**form_fields(client.get(change_url(obj))), **changes}, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    obj.refresh_from_db()
    return response


def history(client, obj):
    html = page(client.get(reverse(f"admin:procedures_{obj._meta.model_name}_history", args=[obj.pk])))
    return html.select("#change-history tbody tr")


def test_every_save_of_a_procedure_keeps_a_revision_with_who_and_when(editor_client, editor):
    procedure = ProcedureFactory(risks="Bruising.")
    edit(editor_client, procedure, risks="Bruising and redness.")
    edit(editor_client, procedure, risks="Bruising, redness and swelling.")
    versions = Version.objects.get_for_object(procedure)
    assert versions.count() == 3  # as it was before the first edit, then each save
    assert versions[0].revision.user == editor
    assert versions[0].field_dict["risks"] == "Bruising, redness and swelling."
    assert versions[2].field_dict["risks"] == "Bruising."
    rows = history(editor_client, procedure)
    assert len(rows) == 3
    assert editor.username in rows[0].get_text()


@pytest.mark.parametrize("factory, field", [(AuthorFactory, "bio"), (DisclaimerFactory, "body")])
def test_authors_and_disclaimers_keep_revisions_too(editor_client, factory, field):
    obj = factory()
    edit(editor_client, obj, **{field: "New words."})
    assert Version.objects.get_for_object(obj).first().field_dict[field] == "New words."


def test_site_pages_keep_revisions_too(editor_client, shipped_content):
    privacy = SitePage.objects.get(slug="privacy")
    edit(editor_client, privacy, body="We keep nothing.")
    assert Version.objects.get_for_object(privacy).first().field_dict["body"] == "We keep nothing."


def test_comparing_a_revision_with_now_shows_a_word_level_diff(editor_client):
    procedure = ProcedureFactory(risks="Some bruising may happen.")
    edit(editor_client, procedure, risks="Some bruising may happen.")  # the first kept version
    edit(editor_client, procedure, risks="Some swelling may happen.", title="Peel")
    old = Version.objects.get_for_object(procedure).last()
    compare = page(editor_client.get(reverse("admin:procedures_procedure_compare", args=[procedure.pk, old.pk])))
    fields = {section.h2.get_text(): section.select_one(".compare__diff") for section in compare.select(".compare__field")}
    assert set(fields) == {"Title", "Risks and side effects"}
    risks = fields["Risks and side effects"]
    assert risks.find("del").get_text() == "bruising" and risks.find("ins").get_text() == "swelling"
    assert "Some" in risks.get_text() and "may happen." in risks.get_text()


def test_word_diff_escapes_what_editors_wrote():
    diff = word_diff("a <b>bold</b> move", "a <script>x</script> move")
    assert "<script>" not in diff and "&lt;script&gt;" in diff
    assert "<del>" in diff and "<ins>" in diff


def test_restoring_a_revision_is_one_step_and_itself_a_new_revision(editor_client, client):
    procedure = ProcedureFactory(risks="Bruising.")
    procedure.references.create(title="First source", position=0)
    edit(editor_client, procedure, risks="Bruising.")  # kept: with its one reference
    data = form_fields(editor_client.get(change_url(procedure)))
    data.update({"risks": "Nothing to worry about.", "references-0-DELETE": "on"})
    editor_client.post(change_url(procedure), data)
    procedure.refresh_from_db()
    assert procedure.risks == "Nothing to worry about." and not procedure.references.exists()

    first = Version.objects.get_for_object(procedure).last()
    response = restore(editor_client, procedure, first, follow=True)
    assert "Restored the version saved" in text(response)
    procedure.refresh_from_db()
    assert procedure.risks == "Bruising."
    assert [r.title for r in procedure.references.all()] == ["First source"]
    assert Version.objects.get_for_object(procedure).count() == 4  # nothing destroyed
    assert "Restored the version saved" in Version.objects.get_for_object(procedure).first().revision.get_comment()
    assert "Bruising." in text(Client().get(procedure.get_absolute_url()))  # the cached page is refreshed


def test_restore_needs_a_post_and_permission(editor_client, reviewer_client):
    procedure = ProcedureFactory()
    edit(editor_client, procedure, risks="Changed.")
    version = Version.objects.get_for_object(procedure).first()
    address = reverse("admin:procedures_procedure_restore", args=[procedure.pk, version.pk])
    assert editor_client.get(address).status_code == 302  # to the compare page, nothing restored
    assert reviewer_client.post(address, {"opened_version": procedure.edit_version}).status_code == 403


def test_restoring_an_old_address_keeps_the_newer_one_working(editor_client):
    procedure = ProcedureFactory(slug="first-name")
    edit(editor_client, procedure, risks="Kept.")
    first = Version.objects.get_for_object(procedure).first()
    edit(editor_client, procedure, slug="second-name")
    restore(editor_client, procedure, first)
    procedure.refresh_from_db()
    assert procedure.slug == "first-name"
    assert Client().get("/procedures/second-name/")["Location"] == "/procedures/first-name/"


def test_a_deleted_page_is_listed_and_restored_with_its_addresses(editor_client):
    procedure = ProcedureFactory(title="Laser peel", slug="laser-peel")
    edit(editor_client, procedure, slug="laser-skin-peel")
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin.post(reverse("admin:procedures_procedure_delete", args=[procedure.pk]), {"post": "yes"})
    assert Client().get("/procedures/laser-skin-peel/").status_code == 410

    recover_list = page(editor_client.get(reverse("admin:procedures_procedure_recoverlist")))
    link = recover_list.find("a", string=lambda s: s and "Laser peel" in s)
    assert link, "the deleted page is listed for editors"
    form = editor_client.get(link["href"])
    response = editor_client.post(link["href"], form_fields(form), follow=True)
    assert response.status_code == 200, error_messages(response)
    restored = Procedure.objects.get(slug="laser-skin-peel")
    assert restored.title == "Laser peel"
    assert Client().get("/procedures/laser-skin-peel/").status_code == 200
    assert Client().get("/procedures/laser-peel/")["Location"] == "/procedures/laser-skin-peel/"
    assert not FormerSlug.objects.filter(procedure__isnull=True).exists()


def test_the_public_cannot_see_history(client, db):
    procedure = ProcedureFactory()
    assert client.get(reverse("admin:procedures_procedure_history", args=[procedure.pk])).status_code == 302


def test_loading_content_keeps_a_revision(shipped_content):
    procedure = Procedure.objects.get(slug="mesotherapy")
    assert Version.objects.get_for_object(procedure).first().revision.get_comment().startswith("Loaded from")
    assert Version.objects.get_for_model(Author).exists() and Version.objects.get_for_model(Disclaimer).exists()


def test_restoring_one_page_leaves_every_other_page_and_login_alone(editor_client, shipped_content):
    login = UserFactory(is_staff=True)
    meso = Procedure.objects.get(slug="mesotherapy")
    hair = Procedure.objects.get(slug="mesotherapy-for-hair-loss")
    loaded = Version.objects.get_for_object(meso).first()  # saved by loadcontent, in a revision of its own
    hair.summary = "Changed after loading."
    save_content(hair)
    author = Author.objects.get(slug="anand-lakhkar")
    author.user = login
    save_content(author)
    meso.risks = "Changed after loading."
    save_content(meso)
    restore(editor_client, meso, loaded)
    meso.refresh_from_db()
    hair.refresh_from_db()
    author.refresh_from_db()
    assert meso.risks != "Changed after loading."
    assert hair.summary == "Changed after loading."
    assert author.user == login
