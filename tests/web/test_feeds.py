"""Feeds, sitemap, robots.txt and the printable handout, read by real parsers."""

import datetime
import xml.etree.ElementTree as ElementTree

import feedparser
import segno
from bs4 import BeautifulSoup

from tests.factories import ProcedureFactory
from tests.helpers import SECTION_HEADINGS
from tests.html import page

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_atom_feed_lists_new_and_updated_pages_newest_first_with_change_notes(client, db):
    old = ProcedureFactory(title="Older page", last_updated=datetime.date(2026, 1, 5), first_published=datetime.date(2026, 1, 5))
    new = ProcedureFactory(
        title="Updated page", last_updated=datetime.date(2026, 11, 1), first_published=datetime.date(2025, 3, 1)
    )
    new.changes.create(date=datetime.date(2026, 11, 1), note="Added advice on bruising")
    ProcedureFactory(title="Draft page", status="draft", first_published=None)

    response = client.get("/feeds/updates/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert [entry.title for entry in feed.entries] == ["Updated page", "Older page"]
    entry = feed.entries[0]
    assert entry.link == f"http://testserver{new.get_absolute_url()}"
    assert "Updated: Added advice on bruising" in entry.summary
    assert entry.updated_parsed[:3] == (2026, 11, 1)
    assert entry.published_parsed[:3] == (2025, 3, 1)
    assert "Updated:" not in feed.entries[1].summary
    assert old.get_absolute_url() in feed.entries[1].link


def test_every_page_points_to_the_feed(client, shipped_content):
    for url in ("/", "/procedures/mesotherapy/", "/glossary/"):
        link = page(client.get(url)).find("link", type="application/atom+xml")
        assert link["href"] == "/feeds/updates/"


def test_the_sitemap_lists_every_public_page_with_its_date(client, shipped_content):
    ProcedureFactory(slug="secret-draft", status="draft", first_published=None)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    entries = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root.iter(f"{SITEMAP}url")}
    base = "http://testserver"
    assert entries[f"{base}/procedures/mesotherapy/"] == "2026-11-26"
    assert entries[f"{base}/procedures/mesotherapy-for-hair-loss/"] == "2026-11-26"
    for path in (
        "/",
        "/procedures/",
        "/glossary/",
        "/authors/anand-lakhkar/",
        "/privacy/",
        "/conditions/hair-loss/",
        "/body-areas/scalp/",
    ):
        assert f"{base}{path}" in entries, path
    assert f"{base}/procedures/secret-draft/" not in entries
    for address in entries:
        assert client.get(address.removeprefix(base)).status_code == 200, address


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


def test_the_handout_is_a_clean_page_with_the_qr_code_for_the_page(client, shipped_content):
    response = client.get("/procedures/mesotherapy/print/")
    html = page(response)
    assert response.status_code == 200
    assert not html.find("nav") and not html.find("footer", class_="site-footer")
    assert html.h1.get_text() == "Mesotherapy"
    headings = [h2.get_text() for h2 in html.find_all("h2")]
    assert headings[:6] == SECTION_HEADINGS
    assert "About this information" in headings  # the disclaimer
    words = " ".join(html.get_text().split())
    assert "Medically reviewed by Dr Anand Lakhkar, MD, MS, PhD on 26 November 2026" in words
    assert "Last updated 26 November 2026" in words
    address = "http://testserver/procedures/mesotherapy/"
    assert address in words
    qr = html.find("svg", class_="handout__qr")  # inline: the Content-Security-Policy allows no data: images
    assert qr["role"] == "img" and qr.title.get_text() == f"QR code for {address}"
    expected = segno.make(address, error="m").svg_inline(scale=4, border=2, dark="#000", omitsize=True)
    assert qr.path["d"] == BeautifulSoup(expected, "html.parser").path["d"]
    assert html.find("link", rel="stylesheet")["href"].startswith("/static/css/handout")


def test_a_drafts_handout_is_for_staff_only(client, db):
    draft = ProcedureFactory(status="draft", first_published=None)
    assert client.get(f"/procedures/{draft.slug}/print/").status_code == 404


def test_feed_summaries_stay_text(client, db):
    ProcedureFactory(summary="<img src=x onerror=alert(1)> & more")
    entry = feedparser.parse(client.get("/feeds/updates/").content).entries[0]
    # A feed reader gets HTML that shows the text as written: the tag as words, not an image.
    assert entry.summary.startswith("&lt;img src=x onerror=alert(1)&gt; &amp; more")


def test_the_sitemap_lists_specialty_pages_and_the_conditions_index(client, shipped_content):
    body = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/specialties/dermatology/" in body and "http://testserver/conditions/" in body
