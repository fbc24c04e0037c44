"""JSON-LD, as search engines read it."""

import json

import pytest

from procedures.models import Author, Procedure
from tests.factories import AuthorFactory, ProcedureFactory, make_editor
from tests.html import page


def json_ld(response, kind=None):
    """The page's JSON-LD block of this @type (or its only one besides the breadcrumbs)."""
    blocks = [json.loads(script.string) for script in page(response).find_all("script", type="application/ld+json")]
    found = [block for block in blocks if block["@type"] == kind or (kind is None and block["@type"] != "BreadcrumbList")]
    assert len(found) == 1, blocks
    return found[0]


def test_every_published_procedure_page_is_a_medical_web_page_about_a_medical_procedure(client, shipped_content):
    for procedure in Procedure.objects.published():
        data = json_ld(client.get(procedure.get_absolute_url()))
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "MedicalWebPage"
        assert data["name"] == procedure.title
        assert data["description"] == procedure.summary
        assert data["url"] == f"http://testserver/procedures/{procedure.slug}/"
        assert data["datePublished"] == "2026-11-26" and data["dateModified"] == "2026-11-26"
        assert data["lastReviewed"] == "2026-11-26"
        assert data["reviewedBy"] == {
            "@type": "Person",
            "name": "Dr Anand Lakhkar",
            "url": "http://testserver/authors/anand-lakhkar/",
            "honorificSuffix": "MD, MS, PhD",
            "jobTitle": "Physician scientist, pharmacology",
        }
        assert data["author"]["@type"] == "Person" and data["author"]["name"] == "Dr Anand Lakhkar"
        assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == "mesocare"
        assert data["audience"] == {"@type": "MedicalAudience", "audienceType": "Patient"}
        assert {"@type": "MedicalSpecialty", "name": "Dermatology"} in data["specialty"]

        about = data["about"]
        assert about["@type"] == "MedicalProcedure"
        assert about["name"] == procedure.title
        assert about["procedureType"] == "https://schema.org/PercutaneousProcedure"
        assert "7 to 10 days apart" in about["howPerformed"]
        assert about["preparation"] and about["followup"]
        assert "<" not in about["howPerformed"]  # plain text, not HTML


def test_author_pages_carry_a_person(client, shipped_content):
    author = Author.objects.get(slug="anand-lakhkar")
    data = json_ld(client.get(author.get_absolute_url()))
    assert data["@type"] == "Person"
    assert data["name"] == author.name
    assert data["jobTitle"] == author.role
    assert data["honorificSuffix"] == author.credentials
    assert data["url"] == f"http://testserver{author.get_absolute_url()}"
    assert "Georgetown University" in data["description"]

    team = json_ld(client.get(Author.objects.get(slug="mesocare-editorial-team").get_absolute_url()))
    assert team["name"] == "mesocare editorial team" and "honorificSuffix" not in team  # no credentials to claim


def test_an_unreviewed_draft_leaves_out_what_it_does_not_have(client, db):
    procedure = ProcedureFactory(status="draft", reviewer=None, last_reviewed=None, next_review_due=None, procedure_type="")
    client.force_login(make_editor())  # drafts show only to staff who may change pages
    data = json_ld(client.get(procedure.get_absolute_url()))
    assert "reviewedBy" not in data and "lastReviewed" not in data and "datePublished" not in data
    assert "procedureType" not in data["about"]


@pytest.mark.parametrize("title", ["</script><script>alert(1)</script>", 'Quote " and <b>tags</b> & more'])
def test_text_cannot_break_out_of_the_json_ld(client, db, title):
    procedure = ProcedureFactory(title=title, author=AuthorFactory(name=title))
    response = client.get(procedure.get_absolute_url())
    assert json_ld(response)["name"] == title
    assert "<script>alert(1)" not in response.content.decode()
