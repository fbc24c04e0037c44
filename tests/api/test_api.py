"""The read-only API, as a clinic's software uses it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import Client
from openapi_spec_validator import validate

from procedures.models import Author, CodeSystem, Condition, Procedure
from procedures.publishing.content import save_content
from tests.factories import ProcedureFactory, SpecialtyFactory

ICD10CM = CodeSystem.ICD10CM.value
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api():
    return Client(HTTP_ACCEPT="application/json")


def test_list_gives_published_pages_a_to_z_with_their_permanent_addresses(api, shipped_content):
    ProcedureFactory(title="A draft page", status="draft", first_published=None)
    response = api.get("/api/v1/procedures/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 2
    assert [item["slug"] for item in data["results"]] == ["mesotherapy", "mesotherapy-for-hair-loss"]
    first = data["results"][0]
    assert first["url"] == "http://testserver/procedures/mesotherapy/"
    assert first["api_url"] == "http://testserver/api/v1/procedures/mesotherapy/"
    assert first["specialties"] == ["aesthetic-medicine-and-cosmetology", "dermatology", "plastic-and-cosmetic-surgery"]


def test_list_pages_through_many_procedures(api, db):
    ProcedureFactory.create_batch(25)
    first = api.get("/api/v1/procedures/").json()
    assert first["count"] == 25 and len(first["results"]) == 20
    second = api.get(first["next"].removeprefix("http://testserver")).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert len(api.get("/api/v1/procedures/", {"page_size": 100}).json()["results"]) == 25


def test_list_filters_by_specialty(api, db):
    skin = SpecialtyFactory(slug="skin")
    ProcedureFactory(title="Peel", specialties=[skin])
    ProcedureFactory(title="Tummy tuck")
    assert [p["title"] for p in api.get("/api/v1/procedures/", {"specialty": "skin"}).json()["results"]] == ["Peel"]


def test_detail_gives_sections_as_html_and_markdown_and_who_reviewed_it(api, shipped_content):
    data = api.get("/api/v1/procedures/mesotherapy-for-hair-loss/").json()
    assert data["title"] == "Mesotherapy for hair loss (alopecia)"
    sections = {section["key"]: section for section in data["sections"]}
    assert list(sections)[:2] == ["what_it_is", "who_it_is_for"]
    risks = sections["risks"]
    assert risks["title"] == "Risks and side effects" and risks["anchor"] == "risks-and-side-effects"
    assert "<li>" in risks["html"] and "<script" not in risks["html"]
    assert risks["markdown"].startswith("After a session")
    assert data["author"]["name"] == "Dr Anand Lakhkar"
    assert data["reviewer"]["credentials"] == "MD, MS, PhD"
    assert data["last_reviewed"] == "2026-11-26" and data["next_review_due"] == "2028-11-26"
    assert {s["slug"] for s in data["specialties"]} == {"dermatology", "aesthetic-medicine-and-cosmetology"}
    hair_loss = data["conditions"][0]
    assert hair_loss["slug"] == "hair-loss"
    assert {"system": ICD10CM, "system_name": "ICD-10-CM", "code": "L64"} in hair_loss["codes"]
    assert data["references"][0]["number"] == 1
    assert data["url"] == "http://testserver/procedures/mesotherapy-for-hair-loss/"
    assert "Dr Anand Lakhkar" in data["attribution"] and data["url"] in data["attribution"]
    assert data["disclaimer"]["title"] == "About this information"


def test_drafts_are_never_in_the_api(api, db):
    draft = ProcedureFactory(status="draft", first_published=None, title="Secret")
    assert api.get(f"/api/v1/procedures/{draft.slug}/").status_code == 404
    assert "Secret" not in api.get("/api/v1/procedures/").content.decode()
    save_content(draft.author)
    assert "Secret" not in api.get(f"/api/v1/authors/{draft.author.slug}/").content.decode()


def test_authors_and_specialties(api, shipped_content):
    author = api.get("/api/v1/authors/anand-lakhkar/").json()
    assert author["credentials"] == "MD, MS, PhD" and author["disclosure"] == "None declared."
    assert author["url"] == "http://testserver/authors/anand-lakhkar/"
    specialties = api.get("/api/v1/specialties/").json()["results"]
    assert [s["slug"] for s in specialties] == [
        "aesthetic-medicine-and-cosmetology",
        "dermatology",
        "plastic-and-cosmetic-surgery",
    ]
    assert api.get("/api/v1/specialties/dermatology/").json()["name"] == "Dermatology"
    assert api.get("/api/v1/authors/nobody/").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/procedures/", "/api/v1/procedures/mesotherapy/", "/api/v1/authors/"])
def test_conditional_requests_answer_304_when_nothing_changed(api, shipped_content, url):
    first = api.get(url)
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_a_change_is_seen_by_conditional_requests(api, shipped_content):
    first = api.get("/api/v1/procedures/mesotherapy/")
    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.summary = "A new summary."
    save_content(procedure)
    again = api.get("/api/v1/procedures/mesotherapy/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again.json()["summary"] == "A new summary."


def test_any_website_may_read_the_api(api, shipped_content):
    response = api.get("/api/v1/procedures/", HTTP_ORIGIN="https://clinic.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = api.options("/api/v1/procedures/", HTTP_ORIGIN="https://clinic.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in api.get("/", HTTP_ORIGIN="https://clinic.example")


def test_the_api_does_not_write(api, shipped_content):
    assert api.post("/api/v1/procedures/", {"title": "x"}).status_code == 405
    assert api.delete("/api/v1/procedures/mesotherapy/").status_code == 405


def test_too_many_requests_get_429_with_retry_after(api, shipped_content, settings):
    settings.API_RATE_LIMIT = "3/minute"
    statuses = [api.get("/api/v1/specialties/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/api/v1/specialties/")
    assert int(limited["Retry-After"]) > 0
    assert "throttled" in limited.json()["detail"].lower()
    other_client = Client(REMOTE_ADDR="10.0.0.2")
    assert other_client.get("/api/v1/specialties/").status_code == 200


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "-5"}, "page_size"),
        ({"page": "1;DROP TABLE"}, "page"),
        ({"specialty": "astrology"}, "specialty"),
        ({"specialty": ""}, "specialty"),
        ({"specialty": "nul\x00"}, "specialty"),
    ],
)
def test_bad_parameters_get_a_400_saying_what_to_fix(api, shipped_content, params, field):
    response = api.get("/api/v1/procedures/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_page_beyond_the_last_is_not_found(api, shipped_content):
    assert api.get("/api/v1/procedures/", {"page": 99}).status_code == 404


# Lookup by code ------------------------------------------------------------------------------


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    "params",
    [
        {"code": "L64.9", "system": "ICD-10-CM"},
        {"code": "l64.9"},
        {"code": "L64", "system": ICD10CM},
        {"mainSearchCriteria.v.c": "L64.9", "mainSearchCriteria.v.cs": ICD10CM},
        {"mainSearchCriteria.v.c": "L65.9", "mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.dn": "Hair loss"},
    ],
)
def test_lookup_finds_hair_loss_pages_by_code_in_both_styles(api, shipped_content, params):
    assert slugs(api.get("/api/v1/lookup/", params)) == ["mesotherapy", "mesotherapy-for-hair-loss"]


def test_lookup_finds_fat_pages_and_nothing_for_other_codes(api, shipped_content):
    assert slugs(api.get("/api/v1/lookup/", {"code": "E65"})) == ["mesotherapy"]
    assert slugs(api.get("/api/v1/lookup/", {"code": "J45.909", "system": "ICD-10-CM"})) == []
    assert slugs(api.get("/api/v1/lookup/", {"code": "L64.9", "system": "SNOMED CT"})) == []


def test_lookup_finds_codes_editors_add(api, shipped_content):
    condition = Condition.objects.get(slug="cellulite")
    condition.codes.create(system=ICD10CM, code="L98.8")
    assert slugs(api.get("/api/v1/lookup/", {"code": "L98.8"})) == ["mesotherapy"]


def test_lookup_never_returns_drafts(api, shipped_content):
    Procedure.objects.filter(slug="mesotherapy").update(status="draft")
    assert slugs(api.get("/api/v1/lookup/", {"code": "L64.9"})) == ["mesotherapy-for-hair-loss"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "code"),
        ({"code": "  "}, "code"),
        ({"code": "L64", "system": "klingon"}, "system"),
        ({"code": "x" * 500}, "code"),
        # Every parameter given is checked, even the one not used (as the OpenAPI document says).
        ({"code": "", "mainSearchCriteria.v.c": "L64.9"}, "code"),
        ({"code": "L64.9", "mainSearchCriteria.v.c": "?"}, "mainSearchCriteria.v.c"),
        ({"code": "L64.9", "system": ""}, "system"),
        ({"code": "L64.9", "system": "ICD-10-CM", "mainSearchCriteria.v.cs": "klingon"}, "mainSearchCriteria.v.cs"),
        ({"code": "ſ64"}, "code"),  # "ſ".upper() is "S": codes are ASCII before anything else
        ({"code": "L64", "system": "\u212aCD-10"}, "system"),  # nor is a Kelvin sign a K
    ],
)
def test_lookup_bad_parameters_get_a_400(api, shipped_content, params, field):
    response = api.get("/api/v1/lookup/", params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "url", ["/api/v1/", "/api/v1/nothing/here/", "/api/v1/authors/a.b/", "/api/v1/procedures/nul%00/", "/api/v1/specialties/%0A/"]
)
def test_any_other_api_address_is_a_404_in_json(api, db, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


# The OpenAPI document ----------------------------------------------------------------------


def test_the_openapi_document_is_valid_and_describes_every_endpoint(api, db):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert {
        "/api/v1/procedures/",
        "/api/v1/procedures/{slug}/",
        "/api/v1/authors/",
        "/api/v1/authors/{slug}/",
        "/api/v1/specialties/",
        "/api/v1/specialties/{slug}/",
        "/api/v1/lookup/",
    } <= set(schema["paths"])
    # Lookup's parameters are one object, exploded into the query: OpenAPI's way to say that one
    # of `code` and `mainSearchCriteria.v.c` is required.
    parameters = {(p["in"], p["name"]): p for p in schema["paths"]["/api/v1/lookup/"]["get"]["parameters"]}
    assert set(parameters) == {("query", "lookup"), ("query", "lang"), ("header", "Accept-Language")}
    lookup = parameters["query", "lookup"]
    assert (lookup["in"], lookup["style"], lookup["explode"], lookup["required"]) == ("query", "form", True, True)
    assert {"code", "system", "mainSearchCriteria.v.c", "mainSearchCriteria.v.cs"} <= set(lookup["schema"]["properties"])
    assert lookup["schema"]["anyOf"] == [{"required": ["code"]}, {"required": ["mainSearchCriteria.v.c"]}]


def test_the_docs_page_for_clinics(client, db):
    response = client.get("/api/")
    assert response.status_code == 200
    words = " ".join(response.content.decode().split())
    assert "mainSearchCriteria.v.c" in words and "100 requests a minute" in words


@pytest.mark.parametrize("value", ["²", "٣", "1.5", "１"])
def test_api_page_numbers_must_be_plain_digits(client, shipped_content, value):
    assert client.get("/api/v1/procedures/", {"page": value}).status_code == 400
    assert client.get("/api/v1/procedures/", {"page_size": value}).status_code == 400


@pytest.mark.parametrize(
    "system", ["SNOMED-CT", "snomed ct", "ICD-10", "icd10cm", "ICD-10-CM", "ICD-10 (WHO)", " 2.16.840.1.113883.6.90 "]
)
def test_lookup_knows_coding_systems_however_they_are_written(client, shipped_content, system):
    assert client.get("/api/v1/lookup/", {"code": "L64", "system": system}).status_code == 200


@pytest.mark.parametrize("code", [".", "-", "..", ".L64"])
def test_lookup_refuses_codes_that_are_only_punctuation(client, shipped_content, code):
    assert client.get("/api/v1/lookup/", {"code": code}).status_code == 400


def test_if_modified_since_sees_changes_to_what_a_page_shows(client, shipped_content):
    first = client.get("/api/v1/procedures/mesotherapy/")
    author = Author.objects.get(slug="anand-lakhkar")
    author.name = "Dr A. Lakhkar"
    save_content(author)  # within the same second, as like as not: Last-Modified still moves on
    again = client.get("/api/v1/procedures/mesotherapy/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200 and again.json()["author"]["name"] == "Dr A. Lakhkar"


def test_browsers_may_send_conditional_headers_from_other_sites(client, shipped_content):
    preflight = client.options(
        "/api/v1/procedures/",
        HTTP_ORIGIN="https://clinic.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match, if-modified-since",
    )
    allowed = preflight["Access-Control-Allow-Headers"].lower()
    assert "if-none-match" in allowed and "if-modified-since" in allowed


# A web worker of its own: a new Python process, with a database of its own, serving requests
# through the WSGI application as gunicorn does. Prints what it answered and what it loaded.
WEB_WORKER = """
import io, json, sys
import mesocare.wsgi  # first, as gunicorn loads it
from mesocare.wsgi import LoadedOnFirstUse

DOCUMENT_ONLY = ("drf_spectacular.openapi", "rest_framework.test", "django.test", "unittest", "yaml")
from procedures.text.markdown import RENDERING_ONLY

def get(path):
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "localhost",
        "SERVER_PORT": "80", "HTTP_HOST": "localhost", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
    }
    status = []
    body = b"".join(mesocare.wsgi.application(environ, lambda line, headers, error=None: status.append(line)))
    return int(status[0].split()[0]), body.decode()

def standing_in():
    return [name for name in ("sqlparse", "uritemplate") if isinstance(sys.modules[name], LoadedOnFirstUse)]

answers = {path: get(path)[0] for path in sys.argv[1:]}
loaded_by_pages = [name for name in DOCUMENT_ONLY + RENDERING_ONLY if name in sys.modules]
stand_ins = [standing_in()]
status, document = get("/api/v1/schema/?format=json")
loaded_by_document = [name for name in DOCUMENT_ONLY + RENDERING_ONLY if name in sys.modules]
stand_ins.append(standing_in())
import sqlparse.tokens  # a submodule first: sqlparse, when it loads, must use this same one
from django.db import connection
script = connection.ops.prepare_sql_script("SELECT 1; -- a note\\nSELECT 2;")
stand_ins.append(standing_in())
with connection.cursor() as cursor:  # SQLite's table definitions, read with sqlparse
    constraints = connection.introspection.get_constraints(cursor, "procedures_renderjob")
checked = sorted({column for constraint in constraints.values() if constraint["check"] for column in constraint["columns"]})
tokens = sqlparse.parse("SELECT (1)")[0].flatten()
opening = [token.match(sqlparse.tokens.Punctuation, "(") for token in tokens if token.value == "("]
from procedures.text.markdown import render_markdown
rendered = render_markdown("Hair *loss* <script>alert(1)</script>")
print(json.dumps({
    "answers": answers,
    "loaded_by_pages": loaded_by_pages,
    "document": [status, json.loads(document)],
    "loaded_by_document": loaded_by_document,
    "yaml_document": get("/api/v1/schema/"),
    "rendered": rendered,
    "loaded_by_rendering": [name for name in RENDERING_ONLY if name in sys.modules],
    "stand_ins": stand_ins,
    "script": script,
    "checked": checked,
    "opening": opening,
}))
"""


def test_a_web_worker_loads_only_what_serving_pages_needs(tmp_path):
    """drf-spectacular's generator brings django.test and unittest (about 3.5 MiB in each worker),
    and its YAML writer PyYAML (0.7 MiB); Python-Markdown and nh3 (about 2 MiB) render editors'
    text, which pages only read. DRF would load PyYAML and Markdown for features the site does
    not use. Pages and API answers load none of them; the first request for the document loads
    the first, and the document is whole, with every view's documentation (contract.documented),
    in JSON and YAML; the first text rendered (a save, a preview) loads the others. sqlparse
    and uritemplate stand in (mesocare.wsgi) until the SQL script or the document needs them."""
    pages = ["/", "/es/", "/api/v1/procedures/", "/api/v1/authors/", "/api/v1/specialties/", "/api/v1/lookup/?code=L64"]
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "mesocare.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    migrated = subprocess.run(
        [sys.executable, ROOT / "manage.py", "migrate", "--verbosity", "0"], env=environment, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr
    done = subprocess.run(
        [sys.executable, "-c", WEB_WORKER, *pages], env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    worker = json.loads(done.stdout)
    assert worker["answers"] == dict.fromkeys(pages, 200)
    assert worker["loaded_by_pages"] == []
    status, document = worker["document"]
    assert status == 200
    validate(document)
    retrieve = document["paths"]["/api/v1/procedures/{slug}/"]["get"]
    assert retrieve["tags"] == ["procedures"]
    assert {"200", "301", "304", "404", "410", "429"} <= set(retrieve["responses"])
    assert "ETag" in retrieve["responses"]["200"]["headers"]  # ContractSchema, the default
    assert "/api/v1/{path}" not in document["paths"] and len(document["paths"]) == 7  # NoSuchAddress is left out
    assert worker["loaded_by_document"] == ["drf_spectacular.openapi", "rest_framework.test", "django.test", "unittest", "yaml"]
    assert worker["rendered"] == "<p>Hair <em>loss</em> </p>"
    assert worker["loaded_by_rendering"] == ["markdown", "nh3"]
    assert worker["stand_ins"] == [["sqlparse", "uritemplate"], ["sqlparse"], []]
    assert worker["script"] == ["SELECT 1;", "SELECT 2;"]
    assert worker["checked"] == ["attempts", "cursor", "done", "pages", "total"]  # its positive numbers
    assert worker["opening"] == [True]  # one sqlparse.tokens, not a second one loaded with sqlparse
    status, yaml_document = worker["yaml_document"]
    assert status == 200 and yaml.safe_load(yaml_document) == document
