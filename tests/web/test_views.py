import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import server_error

from procedures.models import Disclaimer, Procedure
from procedures.publishing.content import delete_content, save_content
from tests.factories import (
    AuthorFactory,
    DisclaimerFactory,
    ProcedureFactory,
    RelatedLinkFactory,
    SpecialtyFactory,
    UserFactory,
    make_editor,
)
from tests.helpers import SECTION_HEADINGS
from tests.html import page, text

PUBLIC_PAGES = [
    "/",
    "/procedures/",
    "/procedures/?specialty=dermatology",
    "/procedures/mesotherapy/",
    "/procedures/mesotherapy-for-hair-loss/",
    "/authors/anand-lakhkar/",
    "/disclaimer/",
    "/disclaimers/medical-information/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_answers_with_one_heading_and_the_landmarks(client, shipped_content, url):
    response = client.get(url)
    assert response.status_code == 200
    html = page(response)
    assert len(html.find_all("h1")) == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert html.find(landmark), f"{url} has no <{landmark}>"
    skip_link = html.find("a", class_="skip-link")
    assert skip_link["href"] == "#main" and html.find(id="main")
    assert html.find("link", rel="stylesheet", media="print")
    assert html.find("meta", attrs={"name": "description"})["content"].strip()


def test_home_groups_published_procedures_by_specialty(client, shipped_content):
    ProcedureFactory(title="Secret draft", status=Procedure.Status.DRAFT, specialties=[SpecialtyFactory(slug="dermatology")])
    html = page(client.get("/"))
    dermatology = html.find("section", attrs={"aria-labelledby": "specialty-dermatology"})
    titles = [a.get_text(strip=True) for a in dermatology.select(".card__title a")]
    assert titles == ["Mesotherapy", "Mesotherapy for hair loss (alopecia)"]
    surgery = html.find("section", attrs={"aria-labelledby": "specialty-plastic-and-cosmetic-surgery"})
    assert [a.get_text(strip=True) for a in surgery.select(".card__title a")] == ["Mesotherapy"]
    assert "Secret draft" not in text(client.get("/"))


def test_procedure_index_lists_published_pages_a_to_z_and_filters_by_specialty(client, db):
    skin = SpecialtyFactory(name="Dermatology", slug="dermatology")
    surgery = SpecialtyFactory(name="Surgery", slug="surgery")
    ProcedureFactory(title="Zinc peel", specialties=[skin])
    ProcedureFactory(title="Arm lift", specialties=[surgery])
    ProcedureFactory(title="Draft thing", status=Procedure.Status.DRAFT, specialties=[skin])

    everything = page(client.get("/procedures/"))
    assert [a.get_text(strip=True) for a in everything.select(".card__title a")] == ["Arm lift", "Zinc peel"]

    response = client.get("/procedures/", {"specialty": "dermatology"})
    assert [a.get_text(strip=True) for a in page(response).select(".card__title a")] == ["Zinc peel"]
    assert page(response).find("option", selected=True)["value"] == "dermatology"


def test_unknown_specialty_filter_says_so_with_a_400(client, shipped_content):
    response = client.get("/procedures/", {"specialty": "no-such-thing"})
    assert response.status_code == 400
    assert "We have no specialty by that name" in text(response)


def test_procedure_page_shows_everything_a_patient_needs(client, shipped_content):
    response = client.get("/procedures/mesotherapy/")
    html = page(response)
    words = text(response)
    assert html.h1.get_text(strip=True) == "Mesotherapy"
    assert "many tiny injections" in html.find("p", class_="lead").get_text()

    toc = [a["href"] for a in html.find("nav", class_="toc").find_all("a")]
    anchors = [
        "#what-it-is",
        "#who-it-is-for",
        "#how-to-prepare",
        "#how-it-is-done",
        "#risks-and-side-effects",
        "#recovery-and-aftercare",
    ]
    assert toc[:6] == anchors
    for anchor in toc:
        assert html.find(id=anchor[1:]), f"table of contents points to missing {anchor}"
    assert [h2.get_text(strip=True) for h2 in html.select("section.section > h2")][:6] == SECTION_HEADINGS
    assert "7 to 10 days apart" in html.find(id="how-it-is-done").get_text()

    author_box = html.find(id="about-the-author")
    assert "Dr Anand Lakhkar" in author_box.get_text() and "MD, MS, PhD" in author_box.get_text()
    assert author_box.find("a", href="/authors/anand-lakhkar/")
    assert author_box.find(class_="author-photo--initials").get_text(strip=True) == "AL"

    assert html.find(id="related-reading").find("a", href="/procedures/mesotherapy-for-hair-loss/")
    assert "not medical advice" in html.find(id="disclaimer").get_text()
    assert "Last updated 26 November 2026" in words
    assert html.find("time", datetime="2026-11-26")


def test_hair_loss_page_is_served(client, shipped_content):
    response = client.get("/procedures/mesotherapy-for-hair-loss/")
    assert response.status_code == 200
    assert "minoxidil" in text(response)


def test_a_procedure_with_its_own_disclaimer_shows_it_instead_of_the_default(client, db):
    DisclaimerFactory(is_default=True, body="The usual words.")
    own = ProcedureFactory(disclaimer=DisclaimerFactory(body="Words just for this page."))
    plain = ProcedureFactory()
    assert "Words just for this page." in text(client.get(own.get_absolute_url()))
    assert "The usual words." not in text(client.get(own.get_absolute_url()))
    assert "The usual words." in text(client.get(plain.get_absolute_url()))


def test_author_with_a_photo_shows_it_with_its_description(client, db):
    author = AuthorFactory(photo="images/face.jpg", photo_alt="Dr Lee smiling")
    ProcedureFactory(author=author)
    img = page(client.get(author.get_absolute_url())).find("img", class_="author-photo")
    assert img["src"] == "/media/images/face.jpg" and img["alt"] == "Dr Lee smiling"


def test_author_page_shows_bio_credentials_and_published_pages_only(client, shipped_content):
    author = Procedure.objects.get(slug="mesotherapy").author
    ProcedureFactory(title="Unfinished page", author=author, status=Procedure.Status.DRAFT)
    response = client.get("/authors/anand-lakhkar/")
    words = text(response)
    assert "MD, MS, PhD" in words
    assert "Georgetown University" in words
    written = page(response).find("section", attrs={"aria-labelledby": "pages-title"})
    links = [a.get_text(strip=True) for a in written.select(".card__title a")]
    assert links == ["Mesotherapy", "Mesotherapy for hair loss (alopecia)"]
    assert "Unfinished page" not in words


def test_drafts_are_not_found_by_the_public(client, db):
    draft = ProcedureFactory(status=Procedure.Status.DRAFT)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert "Sorry, we cannot find that page" in text(response)


def test_staff_see_drafts_with_a_draft_banner(client, db):
    draft = ProcedureFactory(title="Coming soon", status=Procedure.Status.DRAFT)
    client.force_login(make_editor())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    banner = page(response).find(class_="draft-banner")
    assert banner and "Draft — not published" in banner.get_text()


def test_published_pages_have_no_draft_banner_even_for_staff(client, shipped_content):
    client.force_login(UserFactory(is_staff=True))
    assert not page(client.get("/procedures/mesotherapy/")).find(class_="draft-banner")


@pytest.mark.parametrize("url", ["/procedures/no-such-page/", "/authors/nobody/", "/disclaimers/none/", "/nowhere/"])
def test_unknown_addresses_get_the_friendly_404(client, shipped_content, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Sorry, we cannot find that page" in text(response)
    assert page(response).find("a", href="/procedures/")


def test_server_errors_get_the_friendly_500_page(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in response.content.decode()


def test_procedure_page_is_served_with_a_fixed_small_number_of_queries(client, db, django_assert_max_num_queries):
    DisclaimerFactory(is_default=True)
    procedure = ProcedureFactory(specialties=[SpecialtyFactory(), SpecialtyFactory(), SpecialtyFactory()])
    RelatedLinkFactory.create_batch(5, procedure=procedure)
    # The procedure with its page as rendered when saved; related treatments (one query);
    # the footer's links and the versions of what the page shows, read from the database
    # once per change (then from the cache).
    with django_assert_max_num_queries(6):
        assert client.get(procedure.get_absolute_url()).status_code == 200
    # From the cache: nothing at all.
    with django_assert_max_num_queries(0):
        assert client.get(procedure.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url", ["/", "/procedures/", "/authors/prolific/"])
def test_listing_pages_do_not_query_once_per_procedure(client, db, url):
    author = AuthorFactory(slug="prolific")
    specialty = SpecialtyFactory()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    ProcedureFactory(author=author, specialties=[specialty])
    with_one = queries()
    ProcedureFactory.create_batch(20, author=author, specialties=[specialty])
    assert queries() == with_one <= 5  # incl. the footer's links and the next scheduled change


def test_an_edit_shows_on_the_cached_page_straight_away(client, db):
    procedure = ProcedureFactory(risks="Some bruising.")
    assert "Some bruising." in text(client.get(procedure.get_absolute_url()))
    procedure.risks = "Some bruising and swelling."
    save_content(procedure)
    assert "Some bruising and swelling." in text(client.get(procedure.get_absolute_url()))
    author = procedure.author
    author.name = "Dr Renamed"
    save_content(author)
    assert "Dr Renamed" in text(client.get(procedure.get_absolute_url()))


def test_unpublishing_hides_a_cached_page_at_once(client, db):
    procedure = ProcedureFactory()
    assert client.get(procedure.get_absolute_url()).status_code == 200
    procedure.status = Procedure.Status.DRAFT
    save_content(procedure)
    assert client.get(procedure.get_absolute_url()).status_code == 410  # it was public once


def test_site_disclaimer_page_shows_the_default(client, db):
    DisclaimerFactory(title="Before you read", body="Only general information.", is_default=True)
    response = client.get(reverse("procedures:site-disclaimer"))
    assert "Only general information." in text(response)
    for disclaimer in Disclaimer.objects.all():
        delete_content(disclaimer)
    assert client.get(reverse("procedures:site-disclaimer")).status_code == 404


def test_pages_can_be_read_without_cookies_or_a_session(db, shipped_content):
    response = Client().get("/procedures/mesotherapy/")
    assert response.status_code == 200
    assert not response.cookies


@pytest.mark.parametrize("host", ["evil.com", "", "[::1", "127.0.0.1:8055:1"])
def test_a_request_for_a_host_we_do_not_serve_gets_a_400_not_a_500(db, host):
    assert Client(HTTP_HOST=host).get("/").status_code == 400
