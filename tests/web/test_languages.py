"""The site in each of its languages (issue 12): addresses with a language prefix, <html lang dir>,
the language switcher, hreflang for search engines, and pages whose text is not translated yet."""

import re

import pytest
from django.test import Client
from django.urls import URLResolver, clear_url_caches, get_resolver, reverse
from django.urls import base as urls_base
from django.utils.translation import get_language, override

from procedures.http.languages import address_in_default_language
from procedures.models import UnansweredSearch
from procedures.publishing import release
from tests.factories import ProcedureFactory
from tests.html import page, text

ADDRESSES = [
    ("/", "/es/", "/ar/"),
    ("/procedures/", "/es/procedures/", "/ar/procedures/"),
    ("/procedures/mesotherapy/", "/es/procedures/mesotherapy/", "/ar/procedures/mesotherapy/"),
    ("/glossary/", "/es/glossary/", "/ar/glossary/"),
]


@pytest.mark.parametrize("english, spanish, arabic", ADDRESSES)
def test_every_page_has_an_address_in_each_language_and_english_stays_where_it_was(
    client, shipped_content, english, spanish, arabic
):
    for address, tag, direction in ((english, "en-GB", "ltr"), (spanish, "es", "ltr"), (arabic, "ar", "rtl")):
        response = client.get(address)
        assert response.status_code == 200, address
        assert response["Content-Language"] == tag.lower()
        html = page(response).find("html")
        assert (html["lang"], html["dir"]) == (tag, direction), address


def test_the_language_is_the_addresss_never_the_browsers(client, shipped_content):
    """The same address is the same page for everyone, so links keep working and caches (ours,
    a CDN's) keep one copy."""
    response = client.get("/procedures/", headers={"Accept-Language": "es", "Cookie": "django_language=ar"})
    assert page(response).find("html")["lang"] == "en-GB"
    assert "Accept-Language" not in response.get("Vary", "")
    assert client.get("/en-gb/procedures/").status_code == 404  # the default language has no prefix


def switcher(response):
    nav = page(response).find("nav", class_="language-switcher")
    return {a["hreflang"]: (a["href"], a.get_text(strip=True), a.get("aria-current")) for a in nav.find_all("a")}


def test_the_switcher_keeps_the_visitor_on_the_same_page(client, shipped_content):
    links = switcher(client.get("/es/search/?q=hair+loss"))
    assert links == {
        "en-gb": ("/search/?q=hair+loss", "English", None),
        "es": ("/es/search/?q=hair+loss", "Español", "true"),
        "ar": ("/ar/search/?q=hair+loss", "العربيّة", None),
    }
    for language, (address, _, _) in links.items():
        response = client.get(address)
        assert response.status_code == 200
        assert switcher(response)[language][2] == "true"


def alternates(response):
    html = page(response)
    links = {link["hreflang"]: link["href"] for link in html.find_all("link", rel="alternate", hreflang=True)}
    return links, html.find("link", rel="canonical")["href"]


def test_pages_in_the_sites_own_words_name_every_language_for_search_engines(client, shipped_content):
    links, canonical = alternates(client.get("/es/procedures/"))
    assert links == {
        "en-gb": "http://testserver/procedures/",
        "es": "http://testserver/es/procedures/",
        "ar": "http://testserver/ar/procedures/",
        "x-default": "http://testserver/procedures/",
    }
    assert canonical == "http://testserver/es/procedures/"


def test_a_page_not_translated_yet_is_shown_in_english_with_a_notice_in_the_visitors_language(client, shipped_content):
    response = client.get("/es/procedures/mesotherapy/")
    html = page(response)
    notice = html.find(class_="translation-notice")
    assert notice is not None and "English" not in notice.get_text() and "Inglés" in notice.get_text()
    [article] = html.select("main article.procedure")
    assert (article.parent["lang"], article.parent["dir"]) == ("en-GB", "ltr")
    assert "What it is" in article.get_text()  # the page's own text, whole, as it was reviewed
    # Search engines are sent to the English page, the one whose text this is.
    links, canonical = alternates(response)
    assert links == {
        "en-gb": "http://testserver/procedures/mesotherapy/",
        "x-default": "http://testserver/procedures/mesotherapy/",
    }
    assert canonical == "http://testserver/procedures/mesotherapy/"
    # The switcher, on the English page too, says which languages have no translation of it.
    for address in ("/es/procedures/mesotherapy/", "/procedures/mesotherapy/"):
        items = page(client.get(address)).find("nav", class_="language-switcher").find_all("li")
        missing = [bool(item.find(class_="language-switcher__missing")) for item in items]
        assert missing == [False, True, True], address
    assert "translated" not in text(client.get("/es/procedures/")).split("Español")[1][:40]


def test_the_english_page_has_no_notice(client, shipped_content):
    html = page(client.get("/procedures/mesotherapy/"))
    assert html.find(class_="translation-notice") is None
    assert html.select_one("main article.procedure").parent.name == "main"


def test_each_languages_page_is_cached_apart(client, shipped_content):
    for _ in range(2):  # the second time from the cache
        english, spanish = client.get("/procedures/mesotherapy/"), client.get("/es/procedures/mesotherapy/")
        assert page(english).find("html")["lang"] == "en-GB" and page(spanish).find("html")["lang"] == "es"
    assert spanish["X-Cache"] == "hit" and english["ETag"] != spanish["ETag"]


def test_print_and_embed_are_in_the_language_the_page_is_written_in(client, shipped_content):
    for address in ("/ar/procedures/mesotherapy/print/", "/es/procedures/mesotherapy/embed/"):
        html = page(client.get(address))
        assert html.find("html")["lang"] == "en-GB", address


def test_oembed_takes_a_pages_address_in_any_language(client, shipped_content):
    response = client.get("/oembed/", {"url": "http://testserver/es/procedures/mesotherapy/", "format": "json"})
    assert response.status_code == 200
    assert response.json()["title"] == "Mesotherapy"


def test_addresses_machines_read_exist_once(client, shipped_content):
    for address in ("/es/sitemap.xml", "/ar/robots.txt", "/es/oembed/?url=x"):
        assert client.get(address).status_code == 404, address
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/ar/procedures/</loc>" in sitemap
    assert '<xhtml:link rel="alternate" hreflang="es" href="http://testserver/es/procedures/"/>' in sitemap
    assert '<xhtml:link rel="alternate" hreflang="x-default" href="http://testserver/procedures/"/>' in sitemap
    # A page whose text is English only is listed once, at its English address.
    assert "/es/procedures/mesotherapy/" not in sitemap and "<loc>http://testserver/procedures/mesotherapy/</loc>" in sitemap
    assert re.search(r"Sitemap: http://testserver/sitemap.xml", client.get("/robots.txt").content.decode())


def test_an_error_page_is_in_the_visitors_language_without_alternates(client, shipped_content):
    response = client.get("/ar/no-such-page/")
    html = page(response)
    assert response.status_code == 404 and html.find("html")["dir"] == "rtl"
    assert html.find("link", hreflang=True) is None and html.find(class_="translation-notice") is None


def test_the_sites_words_in_each_language_are_part_of_every_cache_key(settings):
    """A corrected translation in a catalogue, or a language added or removed, is a new release:
    no cached page or stored rendering shows the old words."""
    catalogues = {path.relative_to(settings.BASE_DIR).as_posix() for path in release.release_files() if path.suffix == ".po"}
    assert catalogues == {"procedures/locale/es/LC_MESSAGES/django.po", "procedures/locale/ar/LC_MESSAGES/django.po"}
    before = release.fingerprint()
    settings.LANGUAGES = [("en-gb", "English"), ("es", "Español")]
    assert release.fingerprint() != before


def test_addresses_with_no_language_versions_are_worked_out_once(client, editor_client, shipped_content, settings, monkeypatch):
    """The admin's and the API's addresses are the same in every language. Pages in every
    language link to the admin: a visitor's pages never make a web worker work out the admin's
    table of addresses (about 2 MiB), and staff's only once, in the default language, not once
    for each language a page is asked in."""
    clear_url_caches()
    address_in_default_language.cache_clear()
    admin_tables = []  # the language of each namespaced reverse() into the admin, which works out its table

    def get_ns_resolver(ns_pattern, resolver, converters):
        if ns_pattern.startswith("admin/"):
            admin_tables.append(get_language())
        return real_get_ns_resolver(ns_pattern, resolver, converters)

    real_get_ns_resolver = urls_base.get_ns_resolver
    monkeypatch.setattr(urls_base, "get_ns_resolver", get_ns_resolver)
    admin = next(pattern for pattern in get_resolver().url_patterns if getattr(pattern, "namespace", None) == "admin")
    tables = [admin, *(pattern for pattern in admin.url_patterns if isinstance(pattern, URLResolver))]
    worked_out = [set(table._reverse_dict) for table in tables]  # by earlier tests in this process, if any
    addresses = ("/", "/es/", "/ar/", "/es/procedures/mesotherapy/", "/ar/glossary/", "/ar/no-such-page/")
    for address in addresses:
        response = client.get(address)
        assert page(response).find("footer").find("a", href="/admin/"), address
    assert admin_tables == []
    assert [set(table._reverse_dict) for table in tables] == worked_out

    for address in addresses:
        response = editor_client.get(address)
        assert page(response).find("footer").find("a", href="/admin/"), address
    draft = ProcedureFactory(status="draft", first_published=None)
    banner = page(editor_client.get(f"/ar/procedures/{draft.slug}/")).find(class_="draft-banner")
    assert banner.find("a")["href"] == f"/admin/procedures/procedure/{draft.pk}/change/"
    Client().get("/ar/search/", {"q": "liposuction"})
    entry = UnansweredSearch.objects.get()
    refused = editor_client.post(f"/admin/procedures/unansweredsearch/{entry.pk}/change/", {"count": 99})
    assert refused.status_code == 403
    switcher = page(refused).find("nav", class_="language-switcher")
    assert [a["href"] for a in switcher.find_all("a")] == ["/", "/es/", "/ar/"]  # the admin has no language versions
    with override("es"):
        assert reverse("api:procedure-detail", args=["mesotherapy"]) == "/api/v1/procedures/mesotherapy/"
    assert client.get("/admin/", follow=True).status_code == 200
    assert set(admin_tables) == {settings.LANGUAGE_CODE}
    assert {language for table in tables for language in table._reverse_dict} <= {settings.LANGUAGE_CODE}
