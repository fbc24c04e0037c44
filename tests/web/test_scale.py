"""Long lists at scale: the A–Z, hubs, the home page, search and the sitemap stay small and
cost a fixed number of queries however many pages the site has."""

import xml.etree.ElementTree as ElementTree
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.models import BodyArea
from procedures.publishing.content import content_rows_saved, save_content
from procedures.web import views
from tests.browser.test_browser import violations
from tests.factories import AuthorFactory, ConditionFactory, ProcedureFactory, SpecialtyFactory
from tests.html import page, text

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def titles(response):
    return [a.get_text(strip=True) for a in page(response).select(".card__title a")]


def pagination_links(response):
    nav = page(response).find("nav", attrs={"aria-label": "Pages"})
    return nav and {a.get_text(" ", strip=True): a for a in nav.find_all("a")}


@pytest.fixture
def two_per_page(monkeypatch):
    monkeypatch.setattr(views, "PROCEDURES_PER_PAGE", 2)


@pytest.fixture
def dermatology(db):
    return SpecialtyFactory(name="Dermatology", slug="dermatology")


# The A–Z ----------------------------------------------------------------------------------


def test_up_to_the_limit_the_a_to_z_is_one_page_with_every_treatment(client, dermatology, settings):
    settings.A_TO_Z_ON_ONE_PAGE = 3
    for title in ("Zinc peel", "Arm lift", "5-ALA light therapy"):
        ProcedureFactory(title=title, specialties=[dermatology])
    html = page(client.get("/procedures/"))
    assert [a.get_text(strip=True) for a in html.select(".card__title a")] == ["Arm lift", "Zinc peel", "5-ALA light therapy"]
    letters = html.find("nav", attrs={"aria-label": "Letters"})
    assert [a["href"] for a in letters.find_all("a")] == ["#letter-A", "#letter-Z", "#letter-#"]


def test_past_the_limit_each_letter_has_a_page_of_its_own(client, dermatology, settings):
    settings.A_TO_Z_ON_ONE_PAGE = 3
    for title in ("Mesotherapy", "microneedling", "Arm lift", "Zinc peel", "Ästhetik"):
        ProcedureFactory(title=title, specialties=[dermatology])
    response = client.get("/procedures/")
    assert response.status_code == 200
    assert titles(response) == []  # the letters only
    assert "5 treatments" in text(response)
    letters = page(response).find("nav", attrs={"aria-label": "Letters"})
    links = {a.get_text(" ", strip=True): a["href"] for a in letters.find_all("a")}
    assert links == {
        "A (1 treatment )": "/procedures/letters/a/",
        "M (2 treatments )": "/procedures/letters/m/",
        "Z (1 treatment )": "/procedures/letters/z/",
        "# (1 treatment )": "/procedures/letters/other/",
    }
    shown_not_linked = [span.get_text(" ", strip=True) for span in letters.select("li > span")]
    assert "B (no treatments)" in shown_not_linked and len(shown_not_linked) == 23

    m = client.get("/procedures/letters/m/")
    assert titles(m) == ["Mesotherapy", "microneedling"]
    assert page(m).title.get_text().startswith("Treatments A–Z: M ·")
    assert page(m).find("a", attrs={"aria-current": "page"})["href"] == "/procedures/letters/m/"
    assert titles(client.get("/procedures/letters/other/")) == ["Ästhetik"]


def test_a_letter_page_keeps_the_specialty_chosen(client, dermatology, settings):
    settings.A_TO_Z_ON_ONE_PAGE = 1
    surgery = SpecialtyFactory(name="Surgery", slug="surgery")
    ProcedureFactory(title="Mesotherapy", specialties=[dermatology])
    ProcedureFactory(title="Mini facelift", specialties=[surgery])
    ProcedureFactory(title="Arm lift", specialties=[surgery])

    index = page(client.get("/procedures/", {"specialty": "surgery"}))
    letters = index.find("nav", attrs={"aria-label": "Letters"})
    assert [a["href"] for a in letters.find_all("a")] == [
        "/procedures/letters/a/?specialty=surgery",
        "/procedures/letters/m/?specialty=surgery",
    ]
    response = client.get("/procedures/letters/m/", {"specialty": "surgery"})
    assert titles(response) == ["Mini facelift"]
    assert page(response).title.get_text().startswith("Treatments A–Z: M (Surgery) ·")
    assert page(response).find("option", selected=True)["value"] == "surgery"
    assert client.get("/procedures/letters/m/", {"specialty": "no-such-thing"}).status_code == 400


def test_a_letter_with_many_treatments_is_listed_a_page_at_a_time(client, dermatology, two_per_page):
    for number in range(5):
        ProcedureFactory(title=f"Microneedling {number}", specialties=[dermatology])

    first = client.get("/procedures/letters/m/")
    assert titles(first) == ["Microneedling 0", "Microneedling 1"]
    assert page(first).title.get_text().startswith("Treatments A–Z: M, page 1 of 3 ·")
    links = pagination_links(first)
    assert links["Page 1"]["aria-current"] == "page" and links["Page 1"]["href"] == "/procedures/letters/m/"
    assert links["Next page"]["rel"] == ["next"] and links["Next page"]["href"] == "/procedures/letters/m/?page=2"
    assert "Previous page" not in links

    last = client.get("/procedures/letters/m/", {"page": 3})
    assert titles(last) == ["Microneedling 4"]
    assert page(last).title.get_text().startswith("Treatments A–Z: M, page 3 of 3 ·")
    links = pagination_links(last)
    assert links["Previous page"]["rel"] == ["prev"] and links["Previous page"]["href"] == "/procedures/letters/m/?page=2"
    assert "Next page" not in links and links["Page 3"]["aria-current"] == "page"


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/procedures/letters/mm/", 404),
        ("/procedures/letters/%C3%A4/", 404),
        ("/procedures/letters/1/", 404),
        ("/procedures/letters/m/?page=0", 404),
        ("/procedures/letters/m/?page=9999", 404),
        ("/procedures/letters/m/?page=abc", 404),
        ("/procedures/letters/m/?page=", 404),
        ("/procedures/letters/m/?page=-1", 404),
        ("/specialties/dermatology/?page=2", 404),
        ("/specialties/dermatology/?page=abc", 404),
        ("/procedures/letters/q/", 200),  # a letter without treatments yet: a page that says so
        ("/procedures/letters/m/?page=1", 200),
    ],
)
def test_addresses_the_lists_do_not_have_are_not_found(client, dermatology, address, status):
    ProcedureFactory(title="Mesotherapy", specialties=[dermatology])
    response = client.get(address)
    assert response.status_code == status
    if status == 200:
        assert len(page(response).find_all("h1")) == 1


def test_a_letter_in_capitals_goes_to_its_page(client, db):
    response = client.get("/procedures/letters/M/", {"specialty": "dermatology"})
    assert response.status_code == 301
    assert response["Location"] == "/procedures/letters/m/?specialty=dermatology"


def test_a_page_called_letters_keeps_its_own_addresses(client, db):
    ProcedureFactory(title="Letters", slug="letters")
    for address in ("/procedures/letters/", "/procedures/letters/embed/", "/procedures/letters/print/"):
        assert client.get(address).status_code == 200, address


# Hubs -------------------------------------------------------------------------------------


def test_hubs_list_their_treatments_a_page_at_a_time(client, dermatology, two_per_page):
    condition = ConditionFactory(name="Hair loss", slug="hair-loss")
    area = save_content(BodyArea(name="Scalp", slug="scalp"))
    for number in range(3):
        procedure = ProcedureFactory(title=f"Treatment {number}", specialties=[dermatology])
        procedure.conditions.add(condition)
        procedure.body_areas.add(area)
        content_rows_saved(procedure)

    for hub, title in (
        ("/specialties/dermatology/", "Dermatology: treatments"),
        ("/conditions/hair-loss/", "Hair loss: treatments"),
        ("/body-areas/scalp/", "Treatments for the scalp"),
    ):
        first, second = client.get(hub), client.get(hub, {"page": 2})
        assert titles(first) == ["Treatment 0", "Treatment 1"] and titles(second) == ["Treatment 2"]
        assert page(first).title.get_text().startswith(f"{title}, page 1 of 2 ·")
        assert page(second).title.get_text().startswith(f"{title}, page 2 of 2 ·")
        assert pagination_links(first)["Next page"]["href"] == f"{hub}?page=2"
        assert pagination_links(second)["Page 1"]["href"] == hub
        assert len(page(second).find_all("h1")) == 1
        canonical = [page(response).find("link", rel="canonical")["href"] for response in (first, second)]
        assert canonical == [f"http://testserver{hub}", f"http://testserver{hub}?page=2"]  # each page its own


def test_a_short_list_has_no_pagination(client, dermatology):
    ProcedureFactory(title="Mesotherapy", specialties=[dermatology])
    response = client.get("/specialties/dermatology/")
    assert pagination_links(response) is None
    assert page(response).title.get_text().startswith("Dermatology: treatments ·")


def test_long_page_ranges_are_shortened_around_the_current_page(client, dermatology, monkeypatch):
    monkeypatch.setattr(views, "PROCEDURES_PER_PAGE", 1)
    for number in range(12):
        ProcedureFactory(title=f"Treatment {number:02}", specialties=[dermatology])
    nav = page(client.get("/specialties/dermatology/", {"page": 6})).find("nav", attrs={"aria-label": "Pages"})
    items = [li.get_text(" ", strip=True) for li in nav.find_all("li")]
    assert items == [
        "Previous page", "Page 1", "…", "Page 4", "Page 5", "Page 6", "Page 7", "Page 8", "…", "Page 12", "Next page",
    ]  # fmt: skip


def test_the_home_page_shows_a_few_treatments_per_specialty_and_links_to_the_rest(client, dermatology, monkeypatch):
    monkeypatch.setattr(views, "CARDS_PER_SPECIALTY_ON_HOME", 2)
    surgery = SpecialtyFactory(name="Surgery", slug="surgery")
    for title in ("Chemical peel", "Arm lift", "Botox"):
        ProcedureFactory(title=title, specialties=[dermatology])
    ProcedureFactory(title="Tummy tuck", specialties=[surgery])
    ProcedureFactory(title="Hidden draft", status="draft", first_published=None, specialties=[surgery])

    html = page(client.get("/"))
    skin = html.find("section", attrs={"aria-labelledby": "specialty-dermatology"})
    assert [a.get_text(strip=True) for a in skin.select(".card__title a")] == ["Arm lift", "Botox"]
    more = skin.find("a", string="All 3 treatments in dermatology")
    assert more["href"] == "/specialties/dermatology/"
    surgery_section = html.find("section", attrs={"aria-labelledby": "specialty-surgery"})
    assert [a.get_text(strip=True) for a in surgery_section.select(".card__title a")] == ["Tummy tuck"]
    assert "All " not in surgery_section.get_text()  # a draft is not counted


def test_an_author_page_shows_the_first_pages_and_links_to_the_rest(client, db, two_per_page):
    author = AuthorFactory(name="Dr Prolific", slug="prolific", is_qualified_reviewer=True)
    for number in range(3):
        ProcedureFactory(title=f"Treatment {number}", author=author, reviewer=author)

    response = client.get("/authors/prolific/")
    html = page(response)
    assert titles(response) == ["Treatment 0", "Treatment 1", "Treatment 0", "Treatment 1"]
    assert html.find("a", string="All 3 pages by Dr Prolific")["href"] == "/authors/prolific/pages/"
    reviewed = html.find("a", string="All 3 pages medically reviewed by Dr Prolific")
    assert reviewed["href"] == "/authors/prolific/reviewed/"

    written = client.get("/authors/prolific/pages/", {"page": 2})
    assert titles(written) == ["Treatment 2"]
    assert page(written).title.get_text().startswith("Pages by Dr Prolific, page 2 of 2 ·")
    assert page(written).h1.get_text() == "Pages by Dr Prolific"
    assert titles(client.get("/authors/prolific/reviewed/")) == ["Treatment 0", "Treatment 1"]
    assert client.get("/authors/prolific/reviewed/", {"page": 3}).status_code == 404
    assert client.get("/authors/nobody/pages/").status_code == 404


def test_an_author_with_a_page_or_two_has_no_more_links(client, db):
    author = AuthorFactory(name="Dr Brief", slug="brief")
    ProcedureFactory(title="Mesotherapy", author=author)
    html = page(client.get("/authors/brief/"))
    assert not html.find("a", string=lambda words: words and words.startswith("All "))


# Queries ----------------------------------------------------------------------------------

LISTINGS = [
    "/",
    "/procedures/",
    "/procedures/?specialty=many",
    "/procedures/letters/t/",
    "/specialties/many/",
    "/conditions/many/",
    "/body-areas/many/",
    "/authors/prolific/",
    "/authors/prolific/pages/",
    "/authors/prolific/reviewed/",
    "/search/?q=treatment",
    "/search/?q=treatmnet+nothing",
]


def test_listing_pages_cost_the_same_queries_with_a_few_pages_or_many(client, db, settings, django_assert_max_num_queries):
    """The same number of queries with 3 pages and with 120 (more than a page of 100), and never
    more than 7."""
    settings.A_TO_Z_ON_ONE_PAGE = 2  # letter pages either way
    author = AuthorFactory(slug="prolific", is_qualified_reviewer=True)
    specialty = SpecialtyFactory(slug="many")
    condition = ConditionFactory(slug="many")
    area = save_content(BodyArea(name="Many", slug="many"))

    def add(count):
        procedures = ProcedureFactory.create_batch(count, author=author, reviewer=author, specialties=[specialty])
        for tag in (condition, area):
            tag.procedures.add(*procedures)
            content_rows_saved(tag)

    def queries(address):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200, address
        return len(captured)

    add(3)
    with_a_few = {address: queries(address) for address in LISTINGS}
    sitemap_with_a_few = queries("/sitemap.xml")
    add(117)
    counted_past_a_page = {"/authors/prolific/": 2}  # its two lists, once each is longer than it shows
    for address in LISTINGS:
        with django_assert_max_num_queries(7):
            assert queries(address) == with_a_few[address] + counted_past_a_page.get(address, 0), address
    with django_assert_max_num_queries(12):  # a count and a read for each kind of page
        assert queries("/sitemap.xml") == sitemap_with_a_few
    assert client.get("/specialties/many/", {"page": 2}).status_code == 200
    assert client.get("/specialties/many/", {"page": 3}).status_code == 404


# Sitemap ----------------------------------------------------------------------------------


def read_sitemap(client, address):
    """What a search engine reads at an address: ('urlset', [locations]) or ('sitemapindex', [sitemaps])."""
    response = client.get(urlsplit(address).path + (f"?{urlsplit(address).query}" if urlsplit(address).query else ""))
    assert response.status_code == 200, address
    root = ElementTree.fromstring(response.content)
    assert root.tag in (f"{SITEMAP}urlset", f"{SITEMAP}sitemapindex"), root.tag
    kind = root.tag.removeprefix(SITEMAP)
    child = "url" if kind == "urlset" else "sitemap"
    return kind, [entry.findtext(f"{SITEMAP}loc") for entry in root.iter(f"{SITEMAP}{child}")]


def test_a_small_site_has_one_sitemap(client, shipped_content, settings):
    kind, everything = read_sitemap(client, "/sitemap.xml")
    assert kind == "urlset"
    settings.SITEMAP_MAX_URLS = len(everything)  # as many as the limit still fit in one file
    cache.clear()  # a cached sitemap is kept until the content changes, not the settings
    assert read_sitemap(client, "/sitemap.xml") == ("urlset", everything)


def test_past_the_limit_the_sitemap_is_an_index_of_sitemaps_within_it(client, shipped_content, settings):
    ProcedureFactory.create_batch(6)
    ProcedureFactory(slug="a-draft", status="draft", first_published=None)
    _, everything = read_sitemap(client, "/sitemap.xml")
    assert "http://testserver/procedures/a-draft/" not in everything

    settings.SITEMAP_MAX_URLS = 5
    cache.clear()
    kind, sitemaps = read_sitemap(client, "/sitemap.xml")
    assert kind == "sitemapindex"
    assert "http://testserver/sitemap-procedures.xml?p=2" in sitemaps
    listed = []
    for address in sitemaps:
        kind, locations = read_sitemap(client, address)
        assert kind == "urlset" and 0 < len(locations) <= 5, address
        listed += locations
    assert sorted(listed) == sorted(everything)  # every public page, once
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


@pytest.mark.parametrize("address", ["/sitemap-nothing.xml", "/sitemap-procedures.xml?p=99", "/sitemap-procedures.xml?p=x"])
def test_sitemaps_that_do_not_exist_are_not_found(client, db, address):
    assert client.get(address).status_code == 404


# In a real browser ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
@pytest.mark.parametrize("path", ["/procedures/", "/procedures/letters/m/?page=2", "/specialties/dermatology/?page=2"])
def test_letters_and_pages_of_a_list_are_accessible_at_phone_width(live_site, phone, settings, monkeypatch, path):
    settings.A_TO_Z_ON_ONE_PAGE = 1
    monkeypatch.setattr(views, "PROCEDURES_PER_PAGE", 1)
    phone.goto(live_site + path)
    assert violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.get_by_role("heading", level=1).count() == 1
    if "page=2" in path:
        pages = phone.get_by_role("navigation", name="Pages")
        pages.get_by_role("link", name="Previous page").click()  # plain links: no JavaScript needed
        assert (
            phone.get_by_role("navigation", name="Pages").get_by_role("link", name="Page 1").get_attribute("aria-current")
            == "page"
        )
