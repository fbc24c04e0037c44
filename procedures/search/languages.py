"""Search in the site's languages: which documents a search reads, how each language's words
are stemmed on PostgreSQL, the words too common to look for, and accents.

A search is made in the language of the page it is asked from (/es/search/ in Spanish). It
reads each page's document in that language when the page has a published translation in it,
and the page's English document otherwise: that page is shown in English there too.
"""

import unicodedata

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from procedures.models import Procedure, SearchDocument

# PostgreSQL's text-search configuration for each language, by the language's first part
# (en-gb → en). A language not named here is searched word for word, without stemming
# ("simple"); so is one whose configuration the server lacks (procedures.search.postgresql).
CONFIGURATIONS = {
    "en": "english",
    "es": "spanish",
    "ar": "arabic",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "pt": "portuguese",
}

# Words too common to look for, per language; English's are in procedures.search.query.
STOPWORDS = {
    "es": frozenset(
        "a al algo como cómo con cual cuál cuando cuándo de del donde dónde el ella en es esa ese eso esta está "
        "están este esto hay la las le les lo los me mi mis muy ni no o para pero por que qué se si sí sin sobre "
        "son su sus te tu un una unas uno unos y ya yo".split()
    ),
    "ar": frozenset(
        "في من على إلى عن ما ماذا هل هو هي هذا هذه ذلك التي الذي مع أو و كيف لماذا متى أين عند بعد قبل كل أن إن "
        "لا لم لن قد كان كانت يكون".split()
    ),
}


def default_language():
    """The language every page is written and indexed in first."""
    return settings.LANGUAGE_CODE


def searched_language():
    """The language a search is made in: the page's it is asked from."""
    return translation.get_language() or settings.LANGUAGE_CODE


def documents_searched(language):
    """The documents a search in `language` reads: of published pages only, each page's in that
    language, or its English one where it has no published translation in it."""
    default = default_language()
    documents = SearchDocument.objects.filter(procedure__in=Procedure.objects.published())
    if language == default:
        return documents.filter(language=default)
    translated = SearchDocument.objects.filter(language=language).values("procedure")
    return documents.filter(Q(language=language) | Q(language=default) & ~Q(procedure__in=translated))


def configuration_for(language):
    """PostgreSQL's text-search configuration for a language (before checking the server has it)."""
    return CONFIGURATIONS.get(language.split("-")[0].lower(), "simple")


def stopwords(language):
    return STOPWORDS.get(language.split("-")[0].lower(), frozenset())


def fold(word):
    """A word without its accents: "cirugía" → "cirugia". Both databases' indexes fold them too,
    so a word that differs from one the pages use only by its accents is no misspelling."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
