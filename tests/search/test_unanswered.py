"""Searches that found nothing are counted for editors, within bounds no flood can pass: only
what looks like words, at most a few new queries per client and a set number a day, and
searching itself limited per client."""

import itertools
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from procedures.models import UnansweredSearch
from procedures.search import record_unanswered
from procedures.search.unanswered import NEW_QUERIES_PER_CLIENT, worth_counting
from tests.html import text

JUNK = [
    "c5afc8884c1248e1aeb1eab36fa9e1dd",  # a UUID
    "3fa9c2e1b7d4",
    "a8f3k2j9",
    "x7k2m9q",
    "test123456",
    "123456",
    "2024 2025",
    "asdfasdf",
    "asdfghjkl",
    "qwertyuiop",
    "zxcvbnm",
    "hjkl",
    "sdkfjhsdkfjh",
    "xkcdqwz",
    "bcdfghjklm",
    "aaaaaaa",
    "zzzzzzzzzz",
    "lolololol",
    "hahahaha",
    "abcabcabc",
    "ffffff ffffff",
    "mmmmmmmmmmmmmmmmmm",
    "qqq www eee rrr",
    "dQw4w9WgXcQ",
    "user_name_1",
    "supercalifragilisticexpialidocious",  # 34 letters: no treatment is called that
    "please can you tell me what the best thing is to do about my problem",
    "a " * 30,
    "' or 1=1 --",
    "tststststs",
]

WORDS = [
    "liposuction",
    "lipo suction",
    "botoks",
    "hialuronic acid",
    "alopesia",
    "co2 laser",
    "b12 injection",
    "type 2 diabetes",
    "mesoterapia",
    "caída del cabello",
    "mésothérapie",
    "chute de cheveux",
    "haarausfall",
    "schwangerschaftsstreifen",
    "angstschweiss",
    "wypadanie włosów",
    "zmarszczki",
    "bijwerkingen",
    "выпадение волос",
    "脱毛症の治療",
    "탈모 치료",
    "تساقط الشعر",
    "saç dökülmesi",
    "strength",
    "rhythm",
    "puberty",
    "kybella",
    "zeltiq",
    "how long does it last",
]


@pytest.mark.parametrize("query", JUNK)
def test_junk_is_not_counted(query):
    assert not worth_counting(" ".join(re.findall(r"\w+", query.lower())))


@pytest.mark.parametrize("query", WORDS)
def test_words_in_any_language_and_misspelt_are_counted(query):
    assert worth_counting(" ".join(re.findall(r"\w+", query.lower())))


def test_thirty_junk_searches_add_nothing_to_the_database(client, shipped_content):
    for query in JUNK:
        assert client.get("/search/", {"q": query}).status_code == 200
    assert not UnansweredSearch.objects.exists()


def test_a_flood_of_word_like_queries_from_one_client_adds_a_few_rows(shipped_content, settings):
    settings.SEARCH_RATE_LIMIT = ""  # the flood is let through: only what is counted is bounded here
    made_up = ["".join(syllables) for syllables in itertools.product(["ba", "ko", "ri", "ne"], ["lu", "ta", "mi"], ["do", "sa"])]
    flooder = Client(REMOTE_ADDR="203.0.113.66")
    for query in made_up:
        assert "Sorry, we found no pages" in text(flooder.get("/search/", {"q": query}))
    assert UnansweredSearch.objects.count() == NEW_QUERIES_PER_CLIENT
    # What it already added is still counted, and others still add theirs.
    flooder.get("/search/", {"q": made_up[0]})
    Client(REMOTE_ADDR="198.51.100.7").get("/search/", {"q": "liposuction"})
    assert UnansweredSearch.objects.get(query=made_up[0]).count == 2
    assert UnansweredSearch.objects.filter(query="liposuction").exists()


def test_a_flood_from_many_clients_stops_at_the_daily_number(db, settings):
    settings.UNANSWERED_SEARCHES_PER_DAY = 5
    for number in range(20):
        record_unanswered(f"treatment {number}", asked_by=f"198.51.100.{number}")
    assert UnansweredSearch.objects.count() == 5
    record_unanswered("treatment 0", asked_by="192.0.2.1")  # already listed: counted whatever the day's number
    assert UnansweredSearch.objects.get(query="treatment 0").count == 2


def test_counting_a_query_already_listed_is_one_update(db):
    record_unanswered("liposuction", asked_by="192.0.2.1")
    with CaptureQueriesContext(connection) as queries:
        assert record_unanswered("Liposuction!", asked_by="192.0.2.2")
    assert [query["sql"].split()[0] for query in queries] == ["UPDATE"]
    assert UnansweredSearch.objects.get().count == 2


def test_long_queries_are_not_counted(client, shipped_content):
    client.get("/search/", {"q": "liposuction " * 3 + "x" * 70})  # past 80 characters
    client.get("/search/", {"q": "liposuction tummy tuck face lift neck lift brow lift"})  # 9 words
    assert not UnansweredSearch.objects.exists()


# Searching, limited per client ------------------------------------------------------------------


def test_a_client_searching_too_fast_gets_a_friendly_429_with_retry_after(shipped_content, settings):
    settings.SEARCH_RATE_LIMIT = "3/minute"
    visitor = Client(REMOTE_ADDR="203.0.113.5")
    for query in ("hair loss", "cellulite", "liposuction"):
        assert visitor.get("/search/", {"q": query}).status_code == 200
    refused = visitor.get("/search/", {"q": "tummy tuck"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["Cache-Control"] == "no-store"
    words = text(refused)
    assert "Please wait a moment before searching again" in words and "try again in" in words
    assert not UnansweredSearch.objects.filter(query="tummy tuck").exists()  # refused searches are not counted
    # The empty search page, other pages and other clients are not held up.
    assert visitor.get("/search/").status_code == 200
    assert visitor.get("/procedures/mesotherapy/").status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.6").get("/search/", {"q": "tummy tuck"}).status_code == 200


def test_search_is_not_limited_when_the_setting_is_empty(shipped_content, settings):
    settings.SEARCH_RATE_LIMIT = ""
    visitor = Client(REMOTE_ADDR="203.0.113.5")
    assert all(visitor.get("/search/", {"q": "hair"}).status_code == 200 for _ in range(40))
