"""Links clinics can trust: permanent addresses, 410 Gone, share cards, embeds and oEmbed."""

import json
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from procedures.models import FormerSlug, Procedure
from procedures.publishing.content import save_content
from tests.factories import ProcedureFactory, UserFactory
from tests.html import error_messages, form_fields, page, text
from tests.images import picture_bytes

ADDRESSES = {
    "page": "/procedures/{}/",
    "embed": "/procedures/{}/embed/",
    "handout": "/procedures/{}/print/",
    "api": "/api/v1/procedures/{}/",
}


def rename(editor_client, procedure, slug):
    change = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    response = editor_client.post(change, {**form_fields(editor_client.get(change)), "slug": slug}, follow=True)
    assert "was changed successfully" in text(response), error_messages(response)
    procedure.refresh_from_db()


def test_every_former_address_answers_301_to_the_current_one_in_one_hop(editor_client):
    procedure = ProcedureFactory(slug="mesotherapy-injections")
    rename(editor_client, procedure, "mesotherapy")
    rename(editor_client, procedure, "mesotherapy-treatment")
    public = Client()
    for kind, address in ADDRESSES.items():
        for old in ("mesotherapy-injections", "mesotherapy"):
            response = public.get(address.format(old))
            assert response.status_code == 301, (kind, old)
            assert response["Location"] == address.format("mesotherapy-treatment"), (kind, old)
        assert public.get(address.format("mesotherapy-treatment")).status_code == 200, kind


def test_a_redirect_keeps_the_query_string(editor_client):
    procedure = ProcedureFactory(slug="old-name")
    rename(editor_client, procedure, "new-name")
    assert Client().get("/procedures/old-name/?utm=clinic")["Location"] == "/procedures/new-name/?utm=clinic"


def test_the_admin_shows_a_pages_former_addresses(editor_client):
    procedure = ProcedureFactory(slug="old-name")
    rename(editor_client, procedure, "new-name")
    form = text(editor_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk])))
    assert "/procedures/old-name/ — these redirect here." in form


def test_taking_back_a_former_address_makes_it_the_pages_own_again(editor_client):
    procedure = ProcedureFactory(slug="first")
    rename(editor_client, procedure, "second")
    rename(editor_client, procedure, "first")
    assert Client().get("/procedures/first/").status_code == 200
    assert Client().get("/procedures/second/")["Location"] == "/procedures/first/"


def test_another_pages_former_address_cannot_be_taken(editor_client):
    old = ProcedureFactory(slug="was-here", title="Original page")
    rename(editor_client, old, "moved-on")
    other = ProcedureFactory(slug="other")
    change = reverse("admin:procedures_procedure_change", args=[other.pk])
    response = editor_client.post(change, {**form_fields(editor_client.get(change)), "slug": "was-here"})
    assert any("used to belong to “Original page”" in error for error in error_messages(response))
    assert Client().get("/procedures/was-here/")["Location"] == "/procedures/moved-on/"


def test_an_unpublished_page_answers_410_with_help(client, db):
    procedure = ProcedureFactory(title="Laser peel")
    sibling = ProcedureFactory(title="Chemical peel", specialties=list(procedure.specialties.all()))
    procedure.status = Procedure.Status.DRAFT
    save_content(procedure)
    response = client.get(procedure.get_absolute_url())
    assert response.status_code == 410
    words = text(response)
    assert "This page is no longer available" in words and "Laser peel" in words
    assert page(response).find("a", href=sibling.get_absolute_url())  # related procedures
    assert page(response).find("a", href="/procedures/")
    for address in ("/procedures/{}/embed/", "/api/v1/procedures/{}/"):
        assert client.get(address.format(procedure.slug)).status_code == 410


def test_a_deleted_page_answers_410_at_all_its_addresses(superuser_client):
    procedure = ProcedureFactory(slug="old", title="Withdrawn treatment")
    rename(superuser_client, procedure, "newer")
    delete = reverse("admin:procedures_procedure_delete", args=[procedure.pk])
    superuser_client.post(delete, {"post": "yes"})
    assert not Procedure.objects.exists()
    for slug in ("old", "newer"):
        response = Client().get(f"/procedures/{slug}/")
        assert response.status_code == 410
        assert "This page is no longer available" in text(response)
    assert FormerSlug.objects.get(slug="newer").title == "Withdrawn treatment"


def test_a_never_published_draft_is_simply_not_found(client, db):
    draft = ProcedureFactory(status="draft", first_published=None)
    assert client.get(draft.get_absolute_url()).status_code == 404


# Share cards ------------------------------------------------------------------------


def meta(html, **attrs):
    tag = html.find("meta", attrs=attrs)
    return tag["content"] if tag else None


def test_a_procedure_page_declares_its_canonical_address_and_share_card(client, shipped_content):
    html = page(client.get("/procedures/mesotherapy/?utm_source=clinic"))
    assert html.find("link", rel="canonical")["href"] == "http://testserver/procedures/mesotherapy/"
    summary = Procedure.objects.get(slug="mesotherapy").summary
    assert meta(html, name="description") == summary
    assert meta(html, property="og:title") == "Mesotherapy"
    assert meta(html, property="og:description") == summary
    assert meta(html, property="og:url") == "http://testserver/procedures/mesotherapy/"
    assert meta(html, property="og:site_name") == "mesocare"
    assert meta(html, property="og:type") == "article"
    image = meta(html, property="og:image")
    assert image.startswith("http://testserver/static/img/share-card") and image.endswith(".png")
    assert meta(html, property="og:image:alt")
    assert meta(html, name="twitter:card") == "summary_large_image"
    assert meta(html, name="twitter:title") == "Mesotherapy"
    assert Client().get(image.removeprefix("http://testserver")).status_code == 200


def test_a_page_with_its_own_picture_shares_that_picture(client, db):
    stored = default_storage.save("images/peel.jpg", ContentFile(picture_bytes(format="JPEG")))
    procedure = ProcedureFactory(hero_image=stored, hero_alt="A peel being applied")
    html = page(client.get(procedure.get_absolute_url()))
    assert meta(html, property="og:image") == "http://testserver/media/images/peel.jpg"
    assert meta(html, property="og:image:alt") == "A peel being applied"


def test_the_link_kit_works_without_javascript(client, shipped_content):
    kit = page(client.get("/procedures/mesotherapy/")).find(id="share")
    assert kit.find("input", id="share-link")["value"] == "http://testserver/procedures/mesotherapy/"
    card = kit.find("textarea", id="share-card").get_text()
    assert 'href="http://testserver/procedures/mesotherapy/"' in card and "Mesotherapy" in card
    embed = kit.find("textarea", id="share-embed").get_text()
    assert '<iframe src="http://testserver/procedures/mesotherapy/embed/"' in embed and 'title="mesocare: Mesotherapy"' in embed
    for field in kit.find_all(["input", "textarea"]):
        assert kit.find("label", attrs={"for": field["id"]})
    assert kit.find("a", href="/procedures/mesotherapy/print/")


# Embeds -----------------------------------------------------------------------------


def test_only_the_embed_may_be_framed_by_other_sites(client, shipped_content):
    embed = client.get("/procedures/mesotherapy/embed/")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    for url in ("/", "/procedures/", "/procedures/mesotherapy/", "/procedures/mesotherapy/print/", "/authors/anand-lakhkar/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_the_embed_card_shows_what_a_clinic_needs_and_sets_no_cookies(db, shipped_content):
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    for visitor in (Client(), staff):
        response = visitor.get("/procedures/mesotherapy/embed/")
        assert not response.cookies, "the embed must not set cookies"
    html = page(response)
    words = text(response)
    assert html.h1.get_text(strip=True) == "Mesotherapy"
    assert "Reviewed by Dr Anand Lakhkar, MD, MS, PhD on 26 November 2026" in words
    assert html.find("a", href="/procedures/mesotherapy/", target="_blank")
    assert "not medical advice" in words
    assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert not html.find("script")


def test_drafts_have_no_embed_even_for_staff(client, db):
    draft = ProcedureFactory(status="draft", first_published=None)
    client.force_login(UserFactory(is_staff=True))
    assert client.get(f"/procedures/{draft.slug}/embed/").status_code == 404


# oEmbed -----------------------------------------------------------------------------


def oembed(client, **params):
    return client.get("/oembed/", params)


def test_oembed_answers_a_rich_card_for_a_page_address(client, shipped_content):
    response = oembed(client, url="http://testserver/procedures/mesotherapy/", format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["title"] == "Mesotherapy" and data["provider_name"] == "mesocare"
    assert data["width"] == 480 and data["height"] == 320
    iframe = page_of(data["html"]).find("iframe")
    assert iframe["src"] == "http://testserver/procedures/mesotherapy/embed/"
    assert iframe["title"] == "mesocare: Mesotherapy"


def page_of(html):
    return BeautifulSoup(html, "html.parser")


def test_oembed_respects_the_largest_size_asked_for(client, shipped_content):
    data = oembed(client, url="http://testserver/procedures/mesotherapy/", maxwidth=300, maxheight=200).json()
    assert (data["width"], data["height"]) == (300, 200)


def test_oembed_follows_a_former_address(editor_client, client):
    procedure = ProcedureFactory(slug="old")
    rename(editor_client, procedure, "new")
    data = oembed(Client(), url="http://testserver/procedures/old/").json()
    assert "/procedures/new/embed/" in data["html"]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/procedures/mesotherapy/",
        "http://testserver.evil.example/procedures/mesotherapy/",
        "http://testserver/authors/anand-lakhkar/",
        "http://testserver/procedures/no-such-page/",
        "javascript:alert(1)",
        "/procedures/mesotherapy/",
        "http://testserver/../../etc/passwd",
    ],
)
def test_oembed_answers_404_for_anything_but_our_procedure_pages(client, shipped_content, url):
    assert oembed(client, url=url).status_code == 404


def test_oembed_bad_requests(client, shipped_content):
    assert oembed(client).status_code == 400
    assert oembed(client, url="http://testserver/procedures/mesotherapy/", maxwidth="wide").status_code == 400
    assert oembed(client, url="http://testserver/procedures/mesotherapy/", format="xml").status_code == 501


def test_procedure_pages_advertise_oembed(client, shipped_content):
    link = page(client.get("/procedures/mesotherapy/")).find("link", type="application/json+oembed")
    expected = "http://testserver/oembed/?" + urlencode({"url": "http://testserver/procedures/mesotherapy/", "format": "json"})
    assert link["href"] == expected
    assert client.get(link["href"].removeprefix("http://testserver")).status_code == 200


def test_the_canonical_address_leaves_out_tracking_parameters(client, shipped_content):
    link = page(client.get("/glossary/", {"utm_source": "x"})).find("link", rel="canonical")
    assert link["href"] == "http://testserver/glossary/"
    assert not page(client.get("/nowhere/")).find("link", rel="canonical")


@pytest.mark.parametrize("url", ["http://[", "http://[::1", "http://[x]/"])
def test_oembed_with_a_broken_address_is_not_found(client, db, url):
    assert client.get("/oembed/", {"url": url}).status_code == 404
