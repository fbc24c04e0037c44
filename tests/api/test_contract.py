"""The API does what its OpenAPI document says (issue 11): schemathesis fuzzes the live site
against /api/v1/schema/ with every check, as an outside client's tools would (`schemathesis run
--checks all`), and the answers a fuzzer cannot reach by chance (301, 304, 410, 429, 503) are
called on purpose and checked the same way."""

import pytest
import schemathesis
from django.db.utils import InterfaceError
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from procedures.api.views import AuthorViewSet
from procedures.models import FormerSlug, Procedure
from procedures.publishing.content import save_content

# Every built-in check, as `--checks all` turns on, and none turned off. Some have nothing to
# check here and pass by themselves: the API has no logins (ignored_auth,
# object_level_authorization), no required headers (missing_required_header) and creates or
# deletes nothing (use_after_free, ensure_resource_availability). max_response_time holds every
# answer to schemathesis' default limit of 10 s.
ALL_CHECKS = ["all"]

FUZZING = hypothesis_settings(
    max_examples=40,  # per operation, on top of the examples and the coverage cases: ~20 s in all
    deadline=None,  # an answer's time is max_response_time's business
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
STATEFUL = hypothesis_settings(FUZZING, max_examples=25, stateful_step_count=6)


@pytest.fixture
def api_schema(live_site, settings):
    # The fuzzer asks thousands of times from one address; at 100 a minute it would get little
    # but 429s. The 429 stays documented, and is checked below and in test_api.py.
    settings.API_RATE_LIMIT = "100000/minute"
    schema = schemathesis.openapi.from_url(f"{live_site}/api/v1/schema/?format=json")
    schema.config.checks.update(included_check_names=ALL_CHECKS)
    return schema


@pytest.fixture
def fuzzed_schema(request, api_schema):
    # schemathesis 4.32 renames the test after each operation through the pytest node's private
    # `_nodeid`, which pytest 9.2 no longer has: give it one (it only names the subtests).
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    return api_schema


schema = schemathesis.pytest.from_fixture("fuzzed_schema")


def documented_statuses(case):
    return {int(status) for status in case.operation.definition.raw["responses"]}


@schema.parametrize()
@FUZZING
def test_every_operation_keeps_the_contract(case):
    response = case.call_and_validate()  # every check: the body, headers and status match the document
    expected = documented_statuses(case)
    if case.method.upper() == "OPTIONS":  # what may be asked here, and nothing else
        assert response.status_code == 200 and "GET" in response.headers["allow"][0]
        return
    if case.method.upper() != case.operation.method.upper():
        expected = {405}  # the fuzzer trying a method the document does not offer: refused, never served
    assert response.status_code in expected, f"{case.method} {case.formatted_path}: answered {response.status_code}"
    if response.status_code != 304:
        assert response.headers["content-type"][0].startswith(("application/json", "text/html"))


def test_sequences_of_calls_keep_the_contract(api_schema):
    """Following the links between answers (a list's slugs into its detail), as the CLI's
    stateful phase does."""
    answered = []

    class Client(api_schema.as_state_machine()):
        def after_call(self, response, case):
            super().after_call(response, case)
            answered.append((case.operation.path, response.status_code, response.status_code in documented_statuses(case)))

    Client.run(settings=STATEFUL)
    assert answered and all(documented for _, _, documented in answered)
    # The links were followed: from a list into a page's own answer, found.
    assert ("/api/v1/procedures/{slug}/", 200) in {(path, status) for path, status, _ in answered}


def procedure_detail(api_schema, slug):
    return api_schema["/api/v1/procedures/{slug}/"]["GET"].Case(path_parameters={"slug": slug})


def header(response, name):
    [value] = response.headers[name.lower()]
    return value


def test_a_renamed_page_answers_301_as_documented(api_schema):
    procedure = Procedure.objects.get(slug="mesotherapy")
    FormerSlug.objects.create(slug="mesotherapy-injections", procedure=procedure, title=procedure.title)
    response = procedure_detail(api_schema, "mesotherapy-injections").call_and_validate()
    assert response.status_code == 301
    assert header(response, "Location") == "/api/v1/procedures/mesotherapy/"


def test_a_withdrawn_page_answers_410_as_documented(api_schema):
    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.status = Procedure.Status.DRAFT
    save_content(procedure)
    response = procedure_detail(api_schema, "mesotherapy").call_and_validate()
    assert response.status_code == 410
    assert "withdrawn" in response.json()["detail"]


def test_an_unchanged_answer_is_304_as_documented(api_schema):
    case = procedure_detail(api_schema, "mesotherapy")
    etag = header(case.call_and_validate(), "ETag")
    response = case.call_and_validate(headers={"If-None-Match": etag})
    assert response.status_code == 304


def test_too_many_requests_get_429_as_documented(api_schema, settings):
    settings.API_RATE_LIMIT = "1/minute"
    authors = api_schema["/api/v1/authors/"]["GET"].Case()
    authors.call()  # the one answer of the minute, unless fetching the schema took it
    response = authors.call_and_validate()
    assert response.status_code == 429


def test_a_database_outage_gets_503_as_documented(api_schema, monkeypatch):
    def connection_lost(view):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(AuthorViewSet, "get_queryset", connection_lost)
    # A 503 is a server error, which is what not_a_server_error reports: here it is the point.
    response = api_schema["/api/v1/authors/"]["GET"].Case().call_and_validate(excluded_checks=[not_a_server_error])
    assert response.status_code == 503
