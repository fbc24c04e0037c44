"""Searches that found nothing, counted so that editors know which page to write next: the
normalised words and a count, nothing about who searched.

Counting happens during a GET, so it is kept cheap and bounded whatever comes in:
- only what could name a page to write is counted: a few words in any language, misspelt or
  not, not a sentence, a number, a code or letters at random (`worth_counting`);
- a query already on the list costs one UPDATE;
- a new one gets a row only while fewer than UNANSWERED_SEARCHES_PER_DAY new ones have today,
  from everyone together, and fewer than NEW_QUERIES_PER_CLIENT from the same client (its
  address, hashed, in the cache for a day; never in the database): a flood of made-up queries
  from one address or from many cannot grow the table past a known size a day.
Searching itself is limited per client too (SEARCH_RATE_LIMIT, procedures/http/rate_limit.py).
"""

import hashlib
import re
import unicodedata

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from procedures.models import UnansweredSearch

from .query import STOPWORDS, normalise

NEW_QUERIES_PER_CLIENT = 10  # a day: a patient rarely has more questions the site cannot answer
A_DAY_AND_AN_HOUR = 25 * 60 * 60
# While the shared cache is failing, each process counts new queries on its own.
COUNTED_IN_THIS_PROCESS = LocMemCache("unanswered-searches", {"OPTIONS": {"MAX_ENTRIES": 2000}})

MAX_WORDS = 8
MAX_CHARACTERS = 80
LONGEST_WORD = 30  # "Schwangerschaftsstreifen" (stretch marks) has 24 letters
VOWELS = frozenset("aeiouy")
REPEATED = re.compile(r"(.)\1\1\1|(..+)\2\2")  # "aaaa", "hahaha", "abcabcabc"
# Four keys in a row ("asdf", "hjkl", "zxcv", "qwer"), where no word of any language runs: every
# run along the rows with few vowels, and the top row's but those in words ("property", "Wert").
KEY_ROWS = ("asdfghjkl", "lkjhgfdsa", "zxcvbnm", "mnbvcxz")
TOP_ROW_RUNS = ("qwer", "rtyu", "tyui", "yuio", "uiop", "poiu", "oiuy", "iuyt", "uytr", "rewq")
KEYBOARD_RUNS = re.compile("|".join([*(row[i : i + 4] for row in KEY_ROWS for i in range(len(row) - 3)), *TOP_ROW_RUNS]))
ONE_SOUND = re.compile(r"sch|tch|[cgkpstwr]h|ck|ng|[cdrst]z|([b-df-hj-np-tv-xz])\1")  # "sch", "th", "sz", "ss"
SPELT_OUT = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "þ": "th"})


def record_unanswered(query, asked_by=""):
    """Count a search that found nothing; `asked_by` is the client's address. Returns whether
    it was counted."""
    words = normalise(query)
    if not worth_counting(words):
        return False
    today = timezone.localdate()
    if UnansweredSearch.objects.filter(query=words).update(count=F("count") + 1, last_searched=today):
        return True
    if not a_new_query_allowed(today, asked_by):
        return False
    try:
        with transaction.atomic():
            UnansweredSearch.objects.create(query=words, count=1, first_searched=today, last_searched=today)
    except IntegrityError:  # the same query, recorded by another request meanwhile
        UnansweredSearch.objects.filter(query=words).update(count=F("count") + 1, last_searched=today)
    return True


def a_new_query_allowed(today, asked_by):
    """Whether a new query may start a row, counting it if so: the client's limit, then everyone's."""
    counts = shared_cache if getattr(shared_cache, "available", True) else COUNTED_IN_THIS_PROCESS
    client = hashlib.sha256(f"{today}:{asked_by}".encode()).hexdigest()[:24]
    limits = {f"unanswered-new:{client}": NEW_QUERIES_PER_CLIENT, f"unanswered-new:{today}": settings.UNANSWERED_SEARCHES_PER_DAY}
    for key, limit in limits.items():
        counts.add(key, 0, timeout=A_DAY_AND_AN_HOUR)
        try:
            if counts.incr(key) > limit:
                return False
        except ValueError:  # gone meanwhile (evicted, or the cache failing): not counted
            return False
    return True


def worth_counting(words):
    """Whether normalised words look like what a person types to find a page."""
    if not words or len(words) > MAX_CHARACTERS:
        return False
    split = words.split()
    has_a_key_word = any(word not in STOPWORDS and not word.isdigit() for word in split)
    return len(split) <= MAX_WORDS and has_a_key_word and all(map(looks_like_a_word, split))


def looks_like_a_word(word):
    """A word in any language, misspelt or not ("alopesia", "calvicie", "脱毛"), a number ("2",
    "2024") or a short name with digits ("co2", "b12"); not a code, a hash or letters at random."""
    if "_" in word or len(word) > LONGEST_WORD:
        return False
    if word.isdigit():
        return len(word) <= 4
    if not word.isalpha():
        return len(word) <= 5
    if REPEATED.search(word) or (len(word) >= 3 and len(set(word)) == 1):  # "hahaha", "www"
        return False
    latin = in_latin_letters(word)
    if latin is None:
        return True  # other scripts: not judged by Latin spelling
    if KEYBOARD_RUNS.search(latin) or (len(latin) >= 4 and not VOWELS.intersection(latin)):
        return False
    if len(latin) >= 10 and sum(letter in VOWELS for letter in latin) < len(latin) / 5:
        return False
    consonant_runs = re.findall(r"[^aeiouy]+", ONE_SOUND.sub("c", latin))
    return max(map(len, consonant_runs), default=0) <= 5  # "angstschweiss": 5, "sch" and "ng" each one sound


def in_latin_letters(word):
    """The word in plain a–z ("mésothérapie" → "mesotherapie"), or None if it is not in Latin script."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word.translate(SPELT_OUT)) if not unicodedata.combining(c))
    return plain if plain.isascii() else None
