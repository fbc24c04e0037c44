"""The site as an outsider meets it: every public page crawled from the sitemap and the home
page, what each page links to within itself, the HTTP methods public pages answer, the
addresses machines read, and what a hostile request leaves in the log."""

import io
import json
import logging
import re
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory

from procedures.models import Procedure
from tests.factories import ProcedureFactory
from tests.helpers import change_url
from tests.html import error_messages, form_fields, page
from tests.test_settings import PRODUCTION, manage

NOT_CRAWLED = ("/admin/", "/editor/", "/api/v1/", "/static/", "/media/", "/feeds/")


def internal(address, base):
    """The path and query of an address on this site, or None for another site or a file."""
    parts = urlsplit(urljoin(base, address))
    if parts.scheme not in {"http", "https"} or parts.hostname != "testserver":
        return None
    if parts.path.startswith(NOT_CRAWLED):
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def crawl(client):
    """Every public page reachable from the home page and the sitemap, with its HTML:
    {address: BeautifulSoup}. A procedure page's embed and handout are reached through the
    page itself (its embed code and print link), and added here whatever the page shows."""
    sitemap = client.get("/sitemap.xml").content.decode()
    searches = ["/search/?q=hair+loss", "/search/?q=liposuction"]  # a form: no link leads to its answers
    listed = [internal(address, "http://testserver/") for address in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    waiting = ["/", *searches, *listed]
    pages = {}
    while waiting:
        address = waiting.pop()
        if address is None or address in pages:
            continue
        response = client.get(address)
        assert response.status_code == 200, f"{address} answers {response.status_code}"
        if not response["Content-Type"].startswith("text/html"):
            continue
        pages[address] = html = page(response)
        assert len(pages) < 400, "the crawl never ends"
        waiting += [internal(a["href"], f"http://testserver{address}") for a in html.find_all("a", href=True)]
        if match := re.fullmatch(r"/procedures/([\w-]+)/", address):
            waiting += [f"/procedures/{match[1]}/embed/", f"/procedures/{match[1]}/print/"]
    return pages


@pytest.fixture
def every_public_page(client, shipped_content, settings):
    settings.A_TO_Z_ON_ONE_PAGE = 1  # so the A–Z letters have pages of their own
    return crawl(client)


def test_the_crawl_reaches_every_kind_of_public_page(every_public_page):
    addresses = set(every_public_page)
    for expected in (
        "/",
        "/procedures/",
        "/procedures/letters/m/",
        "/procedures/mesotherapy/",
        "/procedures/mesotherapy/embed/",
        "/procedures/mesotherapy/print/",
        "/procedures/mesotherapy-for-hair-loss/print/",
        "/specialties/dermatology/",
        "/conditions/",
        "/conditions/hair-loss/",
        "/body-areas/scalp/",
        "/authors/anand-lakhkar/",
        "/glossary/",
        "/about-our-content/",
        "/privacy/",
        "/disclaimer/",
        "/search/?q=hair+loss",
        "/api/",
    ):
        assert expected in addresses


def test_every_link_within_a_page_has_its_target_on_that_page(every_public_page):
    missing = []
    for address, html in every_public_page.items():
        ids = {element["id"] for element in html.find_all(id=True)}
        for link in html.find_all("a", href=True):
            if link["href"].startswith("#") and unquote(link["href"][1:]) not in ids:
                missing.append(f"{address}: {link['href']}")
    assert missing == []


def test_every_link_to_a_place_on_another_page_finds_it(every_public_page):
    ids = {address: {element["id"] for element in html.find_all(id=True)} for address, html in every_public_page.items()}
    missing = []
    for address, html in every_public_page.items():
        for link in html.find_all("a", href=True):
            parts = urlsplit(link["href"])
            target = internal(link["href"], f"http://testserver{address}")
            elsewhere = parts.fragment and not link["href"].startswith("#") and target in ids
            if elsewhere and unquote(parts.fragment) not in ids[target]:
                missing.append(f"{address}: {link['href']}")
    assert missing == []


def test_the_handout_prints_the_references_and_the_words_it_explains(client, shipped_content):
    procedure = Procedure.objects.get(slug="mesotherapy")
    html = page(client.get("/procedures/mesotherapy/print/"))
    references = html.select("#references li")
    assert len(references) == procedure.references.count() > 0
    assert references[0]["id"] == "reference-1"
    assert procedure.references.first().title in references[0].get_text()
    explained = [dt.get_text(strip=True) for dt in html.select("#words-explained dt")]
    assert explained == [term.term for term in procedure.glossary_terms.all()]
    assert html.select("#words-explained dd")[0].get_text(strip=True)


# No third-party content -----------------------------------------------------------------------

OUTSIDE_PICTURE = "![A scalp](https://tracker.example/pixel.gif?page=1)"


def loaded_from(html):
    """The addresses a browser fetches to show the page (not links, not the text of embed code)."""
    wanted = [("img", "src"), ("script", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"), ("audio", "src")]
    addresses = [element[attribute] for tag, attribute in wanted for element in html.find_all(tag, **{attribute: True})]
    addresses += [link["href"] for link in html.find_all("link", href=True) if {"stylesheet", "icon"} & set(link["rel"])]
    return addresses + [element["srcset"] for element in html.find_all(srcset=True)]


def test_no_public_page_loads_anything_from_another_site(every_public_page):
    outside = []
    for address, html in every_public_page.items():
        for loaded in loaded_from(html):
            if urlsplit(urljoin(f"http://testserver{address}", loaded)).netloc != "testserver":
                outside.append(f"{address}: {loaded}")
    assert outside == []


def test_pages_allow_pictures_from_this_site_only(client, shipped_content):
    for address in ("/", "/procedures/mesotherapy/", "/procedures/mesotherapy/print/", "/procedures/mesotherapy/embed/"):
        policy = dict(part.strip().split(" ", 1) for part in client.get(address)["Content-Security-Policy"].split(";"))
        assert policy["img-src"] == "'self'", address


def test_uploads_served_from_another_host_are_allowed_by_the_policy():
    code = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    result = manage("shell", "-c", code, env={**PRODUCTION, "MEDIA_URL": "https://pictures.example.net/mesocare/"})
    assert result.stdout.strip().endswith("[\"'self'\", 'https://pictures.example.net']"), result.stderr


def test_an_outside_picture_is_refused_with_a_message_to_upload_it_instead(editor_client, shipped_content):
    procedure = Procedure.objects.get(slug="mesotherapy")
    data = form_fields(editor_client.get(change_url(procedure)))
    response = editor_client.post(change_url(procedure), {**data, "risks": f"{data['risks']}\n\n{OUTSIDE_PICTURE}"})
    assert response.status_code == 200
    messages = " ".join(error_messages(response))
    assert "“https://tracker.example/pixel.gif?page=1” is not one uploaded to this site" in messages
    assert "upload it with “Add a picture”" in messages
    procedure.refresh_from_db()
    assert "tracker.example" not in procedure.risks


def test_the_live_preview_says_to_upload_an_outside_picture(editor_client):
    response = editor_client.post("/editor/preview/", {"content": f"Before.\n\n{OUTSIDE_PICTURE}"})
    assert response.status_code == 400
    assert "is not one uploaded to this site" in response.content.decode()
    assert "<img" not in response.content.decode()


def test_pictures_of_our_own_are_shown(client, db, settings):
    settings.MEDIA_URL = "https://pictures.example.net/mesocare/"  # object storage
    ProcedureFactory(
        slug="peel",
        what_it_is="![A peel](https://pictures.example.net/mesocare/images/peel.jpg)\n\n![Our logo](/static/favicon.svg)",
    )
    sources = [img["src"] for img in page(client.get("/procedures/peel/")).select("#what-it-is img")]
    assert sources == ["https://pictures.example.net/mesocare/images/peel.jpg", "/static/favicon.svg"]


@pytest.mark.parametrize(
    "markdown",
    [
        OUTSIDE_PICTURE,
        '<img src="//tracker.example/p.gif" alt="x">',
        '<img src="/&#9;/tracker.example/p.gif" alt="x">',
        "![x](http://testserver.tracker.example/media/p.gif)",
        "![x](/media/../p.gif)",
        "![x](data:image/gif;base64,R0lGODlhAQABAAAAACw=)",
    ],
)
def test_an_outside_picture_saved_before_the_rule_is_never_shown(client, db, markdown):
    # Text that never went through a form: an old page, a content file.
    ProcedureFactory(slug="old-page", what_it_is=f"Before.\n\n{markdown}\n\nAfter.")
    html = page(client.get("/procedures/old-page/"))
    assert not html.select("#what-it-is img")
    assert "Before." in html.select_one("#what-it-is").get_text() and "After." in html.select_one("#what-it-is").get_text()


# Methods --------------------------------------------------------------------------------------


def test_every_public_page_refuses_to_be_written_to_with_405_and_says_what_it_allows(every_public_page):
    visitor = Client(enforce_csrf_checks=True)  # as a browser or a script would meet it: no CSRF exemption
    for address in every_public_page:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(visitor, method)(address, data="x=1", content_type="application/x-www-form-urlencoded")
            assert response.status_code == 405, f"{method.upper()} {address} answers {response.status_code}"
            assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    "address",
    ["/", "/procedures/mesotherapy/", "/procedures/mesotherapy/print/", "/search/?q=hair", "/sitemap.xml", "/robots.txt",
     "/feeds/updates/", "/oembed/?url=http://testserver/procedures/mesotherapy/"],
)  # fmt: skip
def test_public_pages_answer_options_with_what_they_allow_and_never_the_page(client, shipped_content, address):
    response = client.options(address)
    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


@pytest.mark.parametrize("address", ["/", "/procedures/mesotherapy/", "/search/?q=hair", "/feeds/updates/"])
def test_public_pages_answer_head_as_get_without_the_body(shipped_content, address):
    # Through Django's own handler: the test client would drop a HEAD's body itself.
    handler = WSGIHandler()
    got = handler.get_response(RequestFactory().get(address))
    head = handler.get_response(RequestFactory().head(address))
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
    assert int(head["Content-Length"]) == len(got.content)
    assert handler.get_response(RequestFactory().get(address)).content == got.content  # what was kept is whole


def test_the_api_refuses_writes_with_405_and_allow_too(db):
    visitor = Client(enforce_csrf_checks=True)
    for address in ("/api/v1/procedures/", "/api/v1/specialties/"):
        response = visitor.post(address, data={})
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("address", ["/api/v1/procedures/", "/oembed/?url=http://testserver/procedures/mesotherapy/"])
def test_cross_origin_preflight_still_works_for_the_api_and_oembed(db, address):
    response = Client().options(address, HTTP_ORIGIN="https://clinic.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_editors_and_the_admin_still_take_their_posts(editor_client, shipped_content):
    login = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
    assert login.status_code == 403  # no CSRF token: the admin's own CSRF check, not a 405
    preview = editor_client.post("/editor/preview/", {"content": "Hello"})
    assert preview.status_code == 200 and b"Hello" in preview.content


# Addresses machines read ----------------------------------------------------------------------


def json_ld_blocks(response):
    return [json.loads(script.string) for script in page(response).find_all("script", type="application/ld+json")]


def test_structured_data_names_the_site_by_the_address_it_is_served_at(shipped_content, settings):
    settings.ALLOWED_HOSTS = ["testserver", "patients.clinic.example"]
    for host, scheme, secure in (("testserver", "http", False), ("patients.clinic.example", "https", True)):
        response = Client(HTTP_HOST=host).get("/procedures/mesotherapy/", secure=secure)
        data = next(block for block in json_ld_blocks(response) if block["@type"] == "MedicalWebPage")
        assert data["publisher"]["url"] == f"{scheme}://{host}/"
        assert data["url"] == f"{scheme}://{host}/procedures/mesotherapy/"
        assert data["author"]["url"] == f"{scheme}://{host}/authors/anand-lakhkar/"
    assert "127.0.0.1:8000" not in response.content.decode()


# What a hostile request leaves in the log ----------------------------------------------------


@pytest.fixture
def log(monkeypatch):
    """What the site writes to its log (the console, as configured by LOGGING), as text."""
    stream = io.StringIO()
    consoles = [handler for handler in logging.getLogger().handlers if type(handler) is logging.StreamHandler]
    assert consoles
    for handler in consoles:
        monkeypatch.setattr(handler, "stream", stream)
    return stream


@pytest.mark.parametrize(
    ("headers", "address", "logged_path", "reason"),
    [
        ({"HTTP_HOST": "evil.example"}, "/", "/", "Invalid HTTP_HOST header: 'evil.example'"),
        ({"HTTP_HOST": "evil.example"}, "/search/?q=x", "/search/", "Invalid HTTP_HOST header: 'evil.example'"),
        ({}, "/media/../mesocare/settings.py", "/media/../mesocare/settings.py", "outside of the base path"),
        ({}, "/media/..%2f..%2fetc/passwd", "/media/../../etc/passwd", "outside of the base path"),
    ],
)
def test_a_bad_host_or_path_is_a_400_and_one_line_in_the_log(db, log, capsys, headers, address, logged_path, reason):
    response = Client(**headers).get(address)
    assert response.status_code == 400
    lines = log.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Bad Request (400): {logged_path} (")
    assert reason in lines[0]
    assert "Traceback" not in capsys.readouterr().err  # nor anywhere else


def test_a_path_cannot_write_lines_of_its_own_into_the_log(db, log):
    assert Client().get("/media/../x%1b[31m%09FAKE%c2%85ENTRY").status_code == 400  # a terminal colour, a tab, NEL
    lines = log.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "\\x1b[31m\\tFAKE\\x85ENTRY" in lines[0] and not any(character in lines[0] for character in "\x1b\t\x85")


def test_no_page_shows_template_syntax(every_public_page):
    """A comment or tag the template engine did not take (a {# #} comment over two lines, say)
    would be printed for patients to read."""
    for address, html in every_public_page.items():
        for hidden in html.find_all(["script", "style"]):
            hidden.decompose()
        leftover = re.search(r"\{[#%{]|[#%}]\}", html.get_text())
        assert leftover is None, f"{address} shows {html.get_text()[leftover.start() : leftover.start() + 60]!r}"
