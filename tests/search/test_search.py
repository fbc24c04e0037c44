"""Search and navigation: from a patient's own words to the right page. Runs on SQLite and PostgreSQL."""

import json
import re

import pytest
from django.test import Client

from procedures.models import (
    BodyArea,
    Condition,
    Synonym,
    UnansweredSearch,
)
from procedures.search import search
from tests.factories import ConditionFactory, ProcedureFactory, SpecialtyFactory
from tests.html import page, text


def found(response):
    return [a.get_text(strip=True) for a in page(response).select(".results h2 a")]


def test_the_search_box_is_in_every_page_header(client, shipped_content):
    for url in ("/", "/procedures/mesotherapy/", "/glossary/", "/no-such-page/"):
        form = page(client.get(url)).find("header").find("form", role="search")
        assert form["action"] == "/search/" and form["method"] == "get"
        field = form.find("input", attrs={"name": "q"})
        assert form.find("label", attrs={"for": field["id"]})


def test_results_show_title_summary_highlighted_snippet_and_count(client, shipped_content):
    response = client.get("/search/", {"q": "bruising"})
    html = page(response)
    assert "2 results for “bruising”" in text(response)
    first = html.select_one(".results li")
    assert first.find("h2").find("a")["href"].startswith("/procedures/")
    assert first.find_all("p")[0].get_text()  # the summary
    assert first.select_one(".snippet mark").get_text().lower().startswith("bruis")


def test_a_title_match_beats_a_body_match(client, db):
    ProcedureFactory(title="Chemical peel", what_it_is="A liquid is put on the skin. Some clinics use a laser after.")
    ProcedureFactory(title="Laser resurfacing", what_it_is="Light removes the top layer of skin.")
    ProcedureFactory(title="Microneedling", what_it_is="Laser-free. Tiny needles make small marks; laser laser laser.")
    assert found(client.get("/search/", {"q": "laser"}))[0] == "Laser resurfacing"


def test_a_summary_match_beats_a_body_match(client, db):
    ProcedureFactory(title="Peel", summary="A treatment for acne scars.", what_it_is="It evens the skin.")
    ProcedureFactory(title="Filler", summary="A gel under the skin.", what_it_is="Sometimes used for acne scars, acne scars.")
    assert found(client.get("/search/", {"q": "acne scars"}))[0] == "Peel"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("hair loss", "Mesotherapy for hair loss (alopecia)"),
        ("alopecia", "Mesotherapy for hair loss (alopecia)"),
        ("balding", "Mesotherapy for hair loss (alopecia)"),
        ("mesotherapy", "Mesotherapy"),
        ("cellulite", "Mesotherapy"),
        ("fat under chin", "Mesotherapy"),
        ("tummy fat", "Mesotherapy"),
    ],
)
def test_plain_words_find_the_right_page_first(client, shipped_content, query, expected):
    assert found(client.get("/search/", {"q": query}))[0] == expected


def test_synonyms_work_both_ways(db):
    ProcedureFactory(title="Cryolipolysis", what_it_is="Cooling destroys adipose tissue under the skin.")
    ProcedureFactory(title="Liposuction", what_it_is="A surgeon removes fat through a tube.")
    Synonym.objects.create(slug="fat", words="fat, adipose")
    assert {hit.procedure.title for hit in search("fat").hits} == {"Cryolipolysis", "Liposuction"}
    assert {hit.procedure.title for hit in search("adipose").hits} == {"Cryolipolysis", "Liposuction"}


def test_condition_names_act_as_synonyms(db):
    condition = ConditionFactory(name="Hyperhidrosis", also_known_as=["excessive sweating"])
    ProcedureFactory(title="Botulinum injections", what_it_is="They treat hyperhidrosis.").conditions.add(condition)
    assert [hit.procedure.title for hit in search("excessive sweating").hits] == ["Botulinum injections"]


def test_editors_manage_synonyms_in_the_admin(editor_client, shipped_content):
    response = editor_client.post("/admin/procedures/synonym/add/", {"words": "shot, injections", "slug": "shot"}, follow=True)
    assert "was added successfully" in text(response)
    assert [h.procedure.slug for h in search("shot").hits]


@pytest.mark.parametrize("typo, meant", [("mesotherepy", "mesotherapy"), ("alopesia", "alopecia"), ("celulite", "cellulite")])
def test_small_misspellings_are_forgiven(client, shipped_content, typo, meant):
    response = client.get("/search/", {"q": typo})
    assert found(response), typo
    assert re.search(f"results? for “{meant}”", text(response)) and f"you typed “{typo}”" in text(response)


def test_the_same_results_for_the_shipped_content_whatever_the_database(shipped_content):
    # Pinned: the suite runs on SQLite and on PostgreSQL, and both must give these.
    expected = {
        "hair loss": ["mesotherapy-for-hair-loss", "mesotherapy"],
        "alopecia": ["mesotherapy-for-hair-loss", "mesotherapy"],
        "mesotherapy": ["mesotherapy", "mesotherapy-for-hair-loss"],
        "cellulite": ["mesotherapy"],
        "minoxidil": ["mesotherapy-for-hair-loss"],
        "stomach fat": ["mesotherapy"],
        "scalp": ["mesotherapy-for-hair-loss"],
    }
    for query, slugs in expected.items():
        assert [hit.procedure.slug for hit in search(query).hits] == slugs, query


def test_drafts_are_not_found(client, shipped_content):
    ProcedureFactory(title="Secret laser treatment", status="draft", first_published=None)
    assert not found(client.get("/search/", {"q": "secret laser"}))


def test_no_results_are_said_kindly_with_suggestions_and_the_a_to_z(client, shipped_content):
    response = client.get("/search/", {"q": "mesotherapi botox"})
    assert found(response)  # corrected, so still found
    response = client.get("/search/", {"q": "liposuctio"})
    words = text(response)
    assert "Sorry, we found no pages for “liposuctio”" in words
    assert page(response).find("a", href="/procedures/")
    response = client.get("/search/", {"q": "hairloss"})
    assert not found(response)
    suggestions = [a.get_text() for a in page(response).select("[role=status] a[href^='/search/']")]
    assert "hair" in suggestions
    assert found(client.get(f"/search/?q={suggestions[0]}"))


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "a" * 10_000,
        "hair " * 3000,
        '"unbalanced quote',
        "' OR 1=1 --",
        "'; DROP TABLE procedures_procedure; --",
        "hair AND NOT loss",
        "NEAR(hair loss)",
        "title:hair",
        "*",
        "^hair",
        "hair:*",
        "(((",
        "!!!",
        "<script>alert(1)</script>",
        "\x00\x01\x02",
        "😀 🧴",
        "日本語 العربية עברית",
        "café crème naïve",
        "%00%27",
        "\\",
        "{{ request }}",
    ],
)
def test_odd_queries_never_fail(client, shipped_content, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_query_is_shown_back_safely(client, shipped_content):
    response = client.get("/search/", {"q": '"><script>alert(1)</script>'})
    assert b"<script>alert(1)" not in response.content


def test_searches_that_find_nothing_are_counted_without_personal_data(db, shipped_content):
    visitor = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Secret Browser/1.0")
    for query in ("Liposuction!", "  liposuction ", "LIPOSUCTION"):
        visitor.get("/search/", {"q": query})
    visitor.get("/search/", {"q": "hair loss"})  # found: not recorded
    visitor.get("/search/", {"q": "   "})  # nothing asked: not recorded
    entry = UnansweredSearch.objects.get()
    assert (entry.query, entry.count) == ("liposuction", 3)
    stored = json.dumps(list(UnansweredSearch.objects.values()), default=str)
    assert "203.0.113.9" not in stored and "Secret Browser" not in stored
    assert {field.name for field in UnansweredSearch._meta.get_fields()} == {
        "id",
        "query",
        "count",
        "first_searched",
        "last_searched",
    }


def test_editors_see_what_found_nothing_but_cannot_change_it(editor_client, shipped_content):
    Client().get("/search/", {"q": "liposuction"})
    response = editor_client.get("/admin/procedures/unansweredsearch/")
    assert "liposuction" in text(response)
    entry = UnansweredSearch.objects.get()
    assert editor_client.post(f"/admin/procedures/unansweredsearch/{entry.pk}/change/", {"count": 99}).status_code == 403


# Navigation -----------------------------------------------------------------------------------


def test_the_a_to_z_index_links_only_letters_with_pages(client, db):
    ProcedureFactory(title="Botox")
    ProcedureFactory(title="Mesotherapy")
    ProcedureFactory(title="microneedling")
    html = page(client.get("/procedures/"))
    index = html.find("nav", attrs={"aria-label": "Letters"})
    letters = index.find_all("li")
    assert len(letters) == 26
    linked = [a.get_text() for a in index.find_all("a")]
    assert linked == ["B", "M"]
    assert "C" in [li.get_text(strip=True)[:1] for li in letters if not li.find("a")]
    section = html.find("section", attrs={"aria-labelledby": "letter-M"})
    assert [a.get_text(strip=True) for a in section.select(".card__title a")] == ["Mesotherapy", "microneedling"]


def test_specialty_pages_list_their_procedures(client, shipped_content):
    response = client.get("/specialties/plastic-and-cosmetic-surgery/")
    assert response.status_code == 200
    assert found_cards(response) == ["Mesotherapy"]
    assert client.get("/specialties/astrology/").status_code == 404


def found_cards(response):
    return [a.get_text(strip=True) for a in page(response).select("main .card__title a")]


def test_condition_and_body_area_pages_list_their_procedures(client, shipped_content):
    assert found_cards(client.get("/conditions/hair-loss/")) == ["Mesotherapy", "Mesotherapy for hair loss (alopecia)"]
    assert found_cards(client.get("/conditions/cellulite/")) == ["Mesotherapy"]
    assert found_cards(client.get("/body-areas/scalp/")) == ["Mesotherapy for hair loss (alopecia)"]
    assert found_cards(client.get("/body-areas/thighs/")) == ["Mesotherapy"]
    index = page(client.get("/conditions/"))
    assert index.find("a", href="/conditions/hair-loss/") and index.find("a", href="/body-areas/scalp/")


def test_the_shipped_content_covers_what_the_reference_article_names(shipped_content):
    conditions = set(Condition.objects.values_list("slug", flat=True))
    assert {"hair-loss", "cellulite", "excess-fat", "skin-ageing"} <= conditions
    areas = set(BodyArea.objects.values_list("slug", flat=True))
    assert {"stomach", "hips", "legs", "thighs", "buttocks", "arms", "face", "scalp"} <= areas


def test_related_procedures_put_editors_choices_first_then_shared_conditions_then_specialties(client, db):
    skin = SpecialtyFactory()
    acne = ConditionFactory()
    page_ = ProcedureFactory(title="Chemical peel", specialties=[skin])
    page_.conditions.add(acne)
    ProcedureFactory(title="A same specialty", specialties=[skin])
    same_condition = ProcedureFactory(title="B same condition", specialties=[SpecialtyFactory()])
    same_condition.conditions.add(acne)
    chosen = ProcedureFactory(title="C chosen", specialties=[SpecialtyFactory()])
    ProcedureFactory(title="D unrelated", specialties=[SpecialtyFactory()])
    page_.related_procedures.add(chosen)
    section = page(client.get(page_.get_absolute_url())).find(id="related-treatments")
    titles = [a.get_text(strip=True) for a in section.select(".card__title a")]
    assert titles == ["C chosen", "B same condition", "A same specialty"]


def test_breadcrumbs_on_every_page_below_home_with_json_ld(client, shipped_content):
    pages = {
        "/procedures/mesotherapy/": ["Home", "Treatments A–Z", "Mesotherapy"],
        "/procedures/": ["Home", "Treatments A–Z"],
        "/specialties/dermatology/": ["Home", "Treatments A–Z", "Dermatology"],
        "/conditions/hair-loss/": ["Home", "Conditions and body areas", "Hair loss"],
        "/body-areas/scalp/": ["Home", "Conditions and body areas", "Scalp"],
        "/authors/anand-lakhkar/": ["Home", "Dr Anand Lakhkar"],
        "/glossary/": ["Home", "Words explained"],
        "/privacy/": ["Home", "Privacy"],
        "/search/?q=hair": ["Home", "Search"],
    }
    for url, trail in pages.items():
        html = page(client.get(url))
        nav = html.find("nav", attrs={"aria-label": "Breadcrumb"})
        assert [li.get_text(strip=True) for li in nav.find_all("li")] == trail, url
        assert nav.find("a", href="/")
        assert nav.find_all("li")[-1].find(attrs={"aria-current": "page"})
        data = json.loads(nav.find("script", type="application/ld+json").string)
        assert data["@type"] == "BreadcrumbList"
        assert [item["name"] for item in data["itemListElement"]] == trail
        assert [item["position"] for item in data["itemListElement"]] == list(range(1, len(trail) + 1))
        assert all(item["item"].startswith("http://testserver/") for item in data["itemListElement"])
    assert not page(client.get("/")).find("nav", attrs={"aria-label": "Breadcrumb"})


def test_a_synonym_with_punctuation_does_not_break_search(client, shipped_content):
    Synonym.objects.create(slug="odd", words='hair loss, bald"ness, x')
    for query in ("hair loss", "x", 'bald"ness'):
        assert client.get("/search/", {"q": query}).status_code == 200


def test_only_common_words_get_a_helpful_message(client, shipped_content):
    assert "has only very common words" in text(client.get("/search/", {"q": "the and of"}))


def test_words_run_together_are_suggested_apart(client, shipped_content):
    suggestions = [a.get_text() for a in page(client.get("/search/", {"q": "hairloss"})).select("[role=status] a")]
    assert suggestions[0] == "hair loss"
