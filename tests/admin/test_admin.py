import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from procedures.models import Author, Disclaimer, Procedure, Specialty
from tests.factories import (
    PASSWORD,
    AuthorFactory,
    DisclaimerFactory,
    ProcedureFactory,
    SpecialtyFactory,
    make_editor,
)
from tests.helpers import change_url
from tests.html import error_messages, form_fields, page, text
from tests.images import picture_bytes, upload

ADD_PROCEDURE = reverse("admin:procedures_procedure_add")


def test_an_editor_logs_in_through_the_login_form_and_sees_only_content(client, db):
    make_editor(username="sam")
    login = client.get(reverse("admin:login"))
    response = client.post(
        reverse("admin:login"), {**form_fields(login), "username": "sam", "password": PASSWORD, "next": "/admin/"}, follow=True
    )
    html = page(response)
    assert response.status_code == 200
    model_links = {a.get_text(strip=True) for a in html.select("#content-main table caption a, #content-main th a")}
    assert {"Procedures", "Authors", "Disclaimers", "Specialties"} <= model_links
    assert "Users" not in model_links and "Groups" not in model_links


def test_a_wrong_password_gets_a_message_not_a_login(client, db):
    make_editor(username="sam")
    response = client.post(reverse("admin:login"), {"username": "sam", "password": "wrong", "next": "/admin/"})
    assert response.status_code == 200
    assert "Please enter the correct username and password" in text(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"])
def test_editors_cannot_reach_user_management(editor_client, url):
    assert editor_client.get(url).status_code == 403


@pytest.mark.parametrize("model", ["procedure", "author", "disclaimer", "specialty"])
def test_editors_can_open_every_list_and_add_page(editor_client, shipped_content, model):
    assert editor_client.get(reverse(f"admin:procedures_{model}_changelist")).status_code == 200
    add = editor_client.get(reverse(f"admin:procedures_{model}_add"))
    assert add.status_code == 200


def test_editors_cannot_delete_pages(editor_client, shipped_content):
    procedure = Procedure.objects.get(slug="mesotherapy")
    assert editor_client.get(reverse("admin:procedures_procedure_delete", args=[procedure.pk])).status_code == 403


def new_procedure_form(client, **changes):
    author = AuthorFactory()
    specialty = SpecialtyFactory()
    data = form_fields(client.get(ADD_PROCEDURE))
    data.update(
        title="Chemical peel",
        slug="chemical-peel",
        summary="A doctor puts a liquid on your skin that removes its top layer.",
        author=str(author.pk),
        specialties=[str(specialty.pk)],
        what_it_is="A peel removes the **top layer** of skin.",
        risks="Redness and peeling for a few days.",
        how_it_is_done="1. Clean the skin\n2. Put on the liquid",
        status="draft",
    )
    data.update(changes)
    return data


def test_an_editor_writes_a_draft_a_reviewer_reviews_it_and_the_editor_publishes_it(editor_client, reviewer_client):
    public = Client()
    data = new_procedure_form(
        editor_client,
        **{
            "related_reading-0-title": "NHS: skin care",
            "related_reading-0-url": "https://www.nhs.uk/",
            "related_reading-0-position": "1",
        },
    )
    response = editor_client.post(ADD_PROCEDURE, data, follow=True)
    assert "was added successfully" in text(response), error_messages(response)
    procedure = Procedure.objects.get(slug="chemical-peel")
    assert public.get("/procedures/chemical-peel/").status_code == 404

    review = reverse("admin:procedures_procedure_review", args=[procedure.pk])
    response = reviewer_client.post(review, form_fields(reviewer_client.get(review)), follow=True)
    assert "Review of “Chemical peel” recorded" in text(response), error_messages(response)

    data = form_fields(editor_client.get(change_url(procedure)))
    response = editor_client.post(change_url(procedure), {**data, "status": "published"}, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    procedure.refresh_from_db()
    assert procedure.first_published == timezone.localdate()

    response = public.get("/procedures/chemical-peel/")
    html = page(response)
    assert response.status_code == 200
    assert html.find(id="what-it-is").find("strong").get_text() == "top layer"
    assert html.find(id="how-it-is-done").find("ol")
    assert html.find(id="related-reading").find("a", href="https://www.nhs.uk/")
    assert "Medically reviewed by Dr Rita Reviewer, MBBS, FRCP on" in text(response)


@pytest.mark.parametrize("missing, message", [("what_it_is", "What it is"), ("risks", "Risks and side effects")])
def test_publishing_without_the_essential_sections_is_refused_and_nothing_is_saved(editor_client, missing, message):
    data = new_procedure_form(editor_client, status="published", **{missing: "   "})
    response = editor_client.post(ADD_PROCEDURE, data)
    assert response.status_code == 200
    assert f'Write the "{message}" section before publishing, or keep the page as a draft.' in error_messages(response)
    assert not Procedure.objects.exists()
    # The editor's text is still in the form.
    assert "A doctor puts a liquid on your skin" in page(response).find("textarea", attrs={"name": "summary"}).get_text()


def test_an_incomplete_page_can_be_kept_as_a_draft_and_staff_preview_it(editor_client):
    data = new_procedure_form(editor_client, status="draft", risks="")
    response = editor_client.post(ADD_PROCEDURE, data, follow=True)
    assert "was added successfully" in text(response)
    procedure = Procedure.objects.get(slug="chemical-peel")
    assert procedure.status == "draft" and procedure.first_published is None

    # "View on site" leads staff to the draft, with the banner.
    view_on_site = page(editor_client.get(change_url(procedure))).find("a", class_="viewsitelink")
    preview = editor_client.get(view_on_site["href"], follow=True)
    assert preview.redirect_chain[-1][0].endswith("/procedures/chemical-peel/")
    assert page(preview).find(class_="draft-banner")


def test_a_picture_needs_a_description(editor_client):
    data = new_procedure_form(editor_client, hero_image=upload(), hero_alt="")
    response = editor_client.post(ADD_PROCEDURE, data)
    assert "Describe the picture for people who cannot see it." in error_messages(response)
    assert not Procedure.objects.exists()


def test_summary_is_length_limited(editor_client):
    response = editor_client.post(ADD_PROCEDURE, new_procedure_form(editor_client, summary="word " * 60))
    assert any("at most 200 characters" in message for message in error_messages(response))


def test_related_reading_refuses_script_links(editor_client):
    data = new_procedure_form(
        editor_client, **{"related_reading-0-title": "Click", "related_reading-0-url": "javascript:alert(1)"}
    )
    response = editor_client.post(ADD_PROCEDURE, data)
    assert any("Enter a full web address" in message for message in error_messages(response))
    assert not Procedure.objects.exists()


def test_a_typo_fix_keeps_last_updated_and_the_history(editor_client, client):
    procedure = ProcedureFactory(last_updated=datetime.date(2025, 1, 2))
    data = form_fields(editor_client.get(change_url(procedure)))
    response = editor_client.post(change_url(procedure), {**data, "risks": "Bruising and redness."}, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    procedure.refresh_from_db()
    assert procedure.risks == "Bruising and redness." and procedure.last_updated == datetime.date(2025, 1, 2)
    assert not procedure.changes.exists()


def test_a_content_change_needs_a_one_line_note(editor_client):
    procedure = ProcedureFactory(risks="Bruising.")
    data = form_fields(editor_client.get(change_url(procedure)))
    response = editor_client.post(change_url(procedure), {**data, "risks": "Bruising and scars.", "is_content_change": "on"})
    assert "Say in one line what changed for patients: it is shown on the page." in error_messages(response)
    procedure.refresh_from_db()
    assert procedure.risks == "Bruising." and not procedure.changes.exists()
    assert "Bruising and scars." in page(response).find("textarea", attrs={"name": "risks"}).get_text()


def test_content_changes_move_last_updated_and_show_in_the_page_history_newest_first(editor_client):
    procedure = ProcedureFactory(last_updated=datetime.date(2025, 1, 2), first_published=datetime.date(2025, 1, 2))
    procedure.changes.create(date=datetime.date(2025, 6, 1), note="Added how many sessions you need")
    data = form_fields(editor_client.get(change_url(procedure)))
    change = {"risks": "Bruising, which fades in a week.", "is_content_change": "on", "change_note": "Added advice on bruising"}
    response = editor_client.post(change_url(procedure), {**data, **change}, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    procedure.refresh_from_db()
    assert procedure.last_updated == timezone.localdate()

    history = page(Client().get(procedure.get_absolute_url())).find(id="page-history")
    lines = [" ".join(li.get_text().split()) for li in history.find_all("li")]
    today = timezone.localdate()
    assert lines == [
        f"Updated {today.day} {today:%b %Y}: Added advice on bruising",
        "Updated 1 Jun 2025: Added how many sessions you need",
        "First published 2 Jan 2025",
    ]


def test_procedure_list_filters_and_search(editor_client, db):
    skin = SpecialtyFactory(name="Skin")
    ProcedureFactory(title="Laser hair removal", summary="Light removes hair.", specialties=[skin])
    ProcedureFactory(title="Tummy tuck", status="draft", summary="Surgery on the stomach.")
    changelist = reverse("admin:procedures_procedure_changelist")

    def titles(**query):
        return [a.get_text(strip=True) for a in page(editor_client.get(changelist, query)).select("#result_list tbody th a")]

    assert titles() == ["Laser hair removal", "Tummy tuck"]
    assert titles(status__exact="draft") == ["Tummy tuck"]
    assert titles(specialties__id__exact=skin.pk) == ["Laser hair removal"]
    assert titles(q="stomach") == ["Tummy tuck"]
    header = [th.get_text(strip=True) for th in page(editor_client.get(changelist)).select("#result_list thead th")]
    assert [name for name in header if name] == [
        "Title",
        "Status",
        "Author",
        "Specialties",
        "Last updated",
        "Next review due",
        "Reading grade",
        "Translations",
    ]


def test_slug_is_prepopulated_from_the_title(editor_client):
    constants = page(editor_client.get(ADD_PROCEDURE)).find(id="django-admin-prepopulated-fields-constants")
    fields = json.loads(constants["data-prepopulated-fields"])
    assert {"id": "#id_slug", "dependency_ids": ["#id_title"]}.items() <= fields[0].items()


def test_every_markdown_field_has_the_live_preview_editor(editor_client, shipped_content):
    for url in (ADD_PROCEDURE, reverse("admin:procedures_author_add"), reverse("admin:procedures_disclaimer_add")):
        html = page(editor_client.get(url))
        editors = html.select(".markdownx.editor textarea")
        assert editors, url
        for textarea in editors:
            assert textarea["data-markdownx-urls-path"] == "/editor/preview/"
            assert textarea["data-markdownx-upload-urls-path"] == "/editor/upload/"
    assert len(page(editor_client.get(ADD_PROCEDURE)).select(".markdownx.editor")) == len(Procedure.SECTIONS)


# Disclaimers ---------------------------------------------------------------------------


def test_making_another_disclaimer_the_default_moves_the_default(editor_client):
    old = DisclaimerFactory(is_default=True)
    response = editor_client.post(
        reverse("admin:procedures_disclaimer_add"),
        {"title": "New words", "slug": "new-words", "body": "Talk to your doctor.", "is_default": "on"},
        follow=True,
    )
    assert "was added successfully" in text(response), error_messages(response)
    old.refresh_from_db()
    assert not old.is_default
    assert Disclaimer.site_default().slug == "new-words"


def test_the_only_default_cannot_be_unticked_or_deleted(superuser_client):
    default = DisclaimerFactory(is_default=True)
    data = form_fields(superuser_client.get(change_url(default)))
    data.pop("is_default")
    response = superuser_client.post(change_url(default), data)
    assert "The site must always have a default disclaimer." in text(response)
    default.refresh_from_db()
    assert default.is_default
    delete = reverse("admin:procedures_disclaimer_delete", args=[default.pk])
    assert superuser_client.get(delete).status_code == 403


def test_a_disclaimer_in_use_cannot_be_deleted(superuser_client):
    DisclaimerFactory(is_default=True)
    special = DisclaimerFactory()
    ProcedureFactory(disclaimer=special)
    delete = reverse("admin:procedures_disclaimer_delete", args=[special.pk])
    response = superuser_client.post(delete, {"post": "yes"})
    assert "Cannot delete disclaimer" in text(response)
    assert Disclaimer.objects.filter(pk=special.pk).exists()


def test_an_author_with_pages_cannot_be_deleted(superuser_client):
    procedure = ProcedureFactory()
    response = superuser_client.post(reverse("admin:procedures_author_delete", args=[procedure.author.pk]), {"post": "yes"})
    assert "Cannot delete author" in text(response)
    assert Procedure.objects.filter(pk=procedure.pk).exists()


# The admin's own image fields ------------------------------------------------------------


def author_form(client, **changes):
    data = form_fields(client.get(reverse("admin:procedures_author_add")))
    data.update(name="Dr Ada Lee", slug="ada-lee", credentials="MD", bio="Skin doctor.", photo_alt="Dr Lee at work")
    data.update(changes)
    return data


def test_an_author_photo_is_checked_and_stored_re_encoded_under_a_new_name(editor_client, media_in_tmp):
    photo = upload("my passport scan.jpg", picture_bytes(3000, 1500, "JPEG"), "image/jpeg")
    response = editor_client.post(reverse("admin:procedures_author_add"), author_form(editor_client, photo=photo), follow=True)
    assert "was added successfully" in text(response), error_messages(response)
    author = Author.objects.get(slug="ada-lee")
    assert author.photo.name.startswith("images/") and "passport" not in author.photo.name
    with Image.open(media_in_tmp / author.photo.name) as stored:
        assert stored.format == "JPEG" and stored.width == 2000  # scaled down to IMAGE_MAX_WIDTH


@pytest.mark.parametrize(
    "photo, message",
    [
        (upload("face.png", b"<script>alert(1)</script>"), "not a picture we can use"),
        (
            upload("face.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', "image/svg+xml"),
            "not a picture",
        ),
        (upload("face.png", picture_bytes()[:60]), "not a picture we can use"),
        (upload("huge.png", picture_bytes(8000, 6000)), "too large to use"),
    ],
)
def test_bad_author_photos_get_a_clear_form_error(editor_client, photo, message):
    response = editor_client.post(reverse("admin:procedures_author_add"), author_form(editor_client, photo=photo))
    assert response.status_code == 200
    assert any(message in error for error in error_messages(response)), error_messages(response)
    assert not Author.objects.exists()


def test_a_photo_needs_a_description(editor_client):
    response = editor_client.post(
        reverse("admin:procedures_author_add"), author_form(editor_client, photo=upload(), photo_alt="")
    )
    assert "Describe the photo for people who cannot see it." in error_messages(response)


def test_specialties_can_be_added_by_editors(editor_client):
    response = editor_client.post(
        reverse("admin:procedures_specialty_add"), {"name": "Trichology", "slug": "trichology", "description": ""}, follow=True
    )
    assert "was added successfully" in text(response)
    assert Specialty.objects.filter(slug="trichology").exists()


def test_a_page_picture_uploaded_in_the_admin_shows_with_its_description_and_size(editor_client):
    picture = upload("hero.png", picture_bytes(640, 360))
    data = new_procedure_form(editor_client, hero_image=picture, hero_alt="A doctor injecting a scalp")
    response = editor_client.post(ADD_PROCEDURE, data, follow=True)
    assert "was added successfully" in text(response), error_messages(response)
    img = page(editor_client.get("/procedures/chemical-peel/")).select_one("figure.hero img")  # the staff preview
    assert img["alt"] == "A doctor injecting a scalp"
    assert (img["width"], img["height"]) == ("640", "360")
    assert Client().get(img["src"]).status_code == 200


def test_an_add_form_ignores_bad_values_in_its_address(editor_client):
    assert editor_client.get("/admin/procedures/procedure/add/", {"publish_at": "abc", "status": "zzz"}).status_code == 200


def test_text_too_tangled_to_show_is_a_form_error_and_keeps_the_text(editor_client):
    procedure = ProcedureFactory(risks="Fine.")
    tangled = "* 1. " * 600
    response = editor_client.post(
        change_url(procedure), {**form_fields(editor_client.get(change_url(procedure))), "risks": tangled}
    )
    assert any("nested too deeply" in error for error in error_messages(response))
    procedure.refresh_from_db()
    assert procedure.risks == "Fine."


def test_a_new_reference_goes_to_the_end_so_citations_keep_their_numbers(editor_client, shipped_content):
    procedure = Procedure.objects.get(slug="mesotherapy-for-hair-loss")
    before = [r.title for r in procedure.references.all()]
    data = form_fields(editor_client.get(change_url(procedure)))
    row = len(before)
    data.update({f"references-{row}-title": "A new source", f"references-{row}-url": "https://www.nhs.uk/"})
    response = editor_client.post(change_url(procedure), data, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    assert [r.title for r in procedure.references.all()] == [*before, "A new source"]


def test_related_reading_refuses_a_backslash_address(editor_client):
    procedure = ProcedureFactory()
    data = {**form_fields(editor_client.get(change_url(procedure))), "related_reading-0-title": "x"}
    data["related_reading-0-url"] = "/\\evil.example/x"
    response = editor_client.post(change_url(procedure), data)
    assert any("backslash" in error for error in error_messages(response))


def test_a_giant_picture_gets_the_too_many_pixels_message(editor_client):
    response = editor_client.post("/editor/upload/", {"image": upload("huge.png", picture_bytes(14000, 14000))})
    assert "too large to use" in response.json()["error"]


def test_opening_forms_and_lists_in_the_admin_writes_nothing(editor_client, db):
    procedure = ProcedureFactory()  # made outside the admin: it has no revision yet
    addresses = [
        change_url(procedure),
        change_url(procedure),
        change_url(procedure.author),
        reverse("admin:procedures_procedure_history", args=[procedure.pk]),
        reverse("admin:procedures_procedure_changelist"),
        reverse("admin:procedures_reviewschedule_changelist"),
        reverse("admin:index"),
    ]
    with CaptureQueriesContext(connection) as queries:
        for address in addresses:
            assert editor_client.get(address).status_code == 200
    writes = [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert not Version.objects.get_for_object(procedure).exists()
    response = editor_client.post(
        change_url(procedure), {**form_fields(editor_client.get(change_url(procedure))), "risks": "Edited."}, follow=True
    )
    assert "was changed successfully" in text(response), error_messages(response)
    kept = [version.field_dict["risks"] for version in Version.objects.get_for_object(procedure)]
    assert kept == ["Edited.", "Bruising and redness."]  # the save, and the page as it was before it


def test_the_admin_names_the_app_after_what_editors_write(editor_client):
    """ProceduresConfig.verbose_name, in the app's own page and the admin's list of apps."""
    app_page = page(editor_client.get(reverse("admin:app_list", args=["procedures"])))
    assert app_page.find("h1").get_text(strip=True) == "Patient pages administration"
    index = page(editor_client.get(reverse("admin:index")))
    assert "Patient pages" in [caption.get_text(strip=True) for caption in index.select("#content-main caption")]
