"""The A–Z in a language other than the default: treatments listed by the title shown in that
language (a published translation's, else the English one), in that language's alphabetical
order, under the letters of its alphabet.

Spanish: accents folded (Á under A), ñ a letter of its own after n. Arabic: the alphabet's own
order, the forms of a letter filed as the letter (أ إ آ ٱ and ء under ا; ة under ه; ى and ئ under
ي; ؤ under و), short vowels, tatweel and the article ال ignored. Titles shown in English are filed under their
Latin letter, after the language's own letters. A small sort key, not a collation library:
PyICU needs the ICU C library built in, and pyuca's full Unicode table (or Python's locale,
which depends on the machine) buys nothing for the first-level order of two alphabets, whose
every rule is written out here and tested.

The English A–Z stays in the database (procedures.web.views); here the titles of the list are
read in one query and filed in Python, then the page's cards in one more: the same number of
queries as the English A–Z, however long the list.
"""

import string
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from procedures.models import ProcedureTranslation, TranslatedPage
from procedures.text.languages import language

OTHER = "#"  # titles that start with anything else: a number, a letter of another alphabet
LATIN = tuple(string.ascii_uppercase)
ALPHABETS = {
    "es": (*"ABCDEFGHIJKLMN", "Ñ", *"OPQRSTUVWXYZ"),
    # In Unicode's order, which is the alphabet's (hijā'ī) order.
    "ar": tuple("ابتثجحخدذرزسشصضطظعغفقكلمنهوي"),
}
ARTICLE = "ال"
AFTER_N = "n\U0010ffff"  # ñ in a sort key: after every n…, before o
# Letters written in more than one form, filed as the letter (hamza on a seat goes with the
# accents: unicodedata decomposes أ into ا and a mark).
ARABIC_FORMS = str.maketrans({"ٱ": "ا", "ء": "ا", "ى": "ي", "ة": "ه", "ک": "ك", "ی": "ي", "ـ": None})


def alphabet(code):
    return ALPHABETS.get(code.split("-")[0], LATIN)


def sort_key(title, code):
    """A title as the language's alphabetical order reads it: case and accents folded; in Arabic
    without the definite article ال, as catalogues file Arabic titles (as English ones without
    "The"), or nearly every title would be under ا."""
    text = unicodedata.normalize("NFC", title.strip().casefold())
    if code == "ar" and text.startswith(ARTICLE) and len(text) > len(ARTICLE) + 1:
        text = text.removeprefix(ARTICLE)
    if code == "es":
        text = text.replace("ñ", AFTER_N)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.translate(ARABIC_FORMS) if code == "ar" else text


def letter_of(title, code):
    """The letter the language files a title under: one of its alphabet's, else a Latin letter
    (a title shown in English), else OTHER."""
    key = sort_key(title, code)
    if code == "es" and key.startswith(AFTER_N):
        return "Ñ"
    first = key[:1].upper()
    return first if first in alphabet(code) or first in LATIN else OTHER


def letters(code, used=()):
    """Every letter of the language's alphabet, then the Latin letters and OTHER when used."""
    own = alphabet(code)
    extra = [letter for letter in (*LATIN, OTHER) if letter in used and letter not in own]
    return [*own, *extra]


def letter_slugs(code):
    """{address part: letter} for the letter pages (/es/procedures/letters/ñ/)."""
    return {letter.lower(): letter for letter in (*alphabet(code), *LATIN)} | {"other": OTHER}


@dataclass(frozen=True)
class Filed:
    pk: int
    title: str
    letter: str


class LanguageAToZ:
    """The A–Z of a list of published procedures in a language: titles read once, filed in Python."""

    def __init__(self, procedures, code):
        self.procedures, self.code = procedures, code
        shown = procedures.annotate(shown_title=Coalesce(Subquery(translated(code, "title")), "title"))
        rows = shown.order_by().values_list("pk", "shown_title")
        filed = [Filed(pk, title, letter_of(title, code)) for pk, title in rows]
        order = {letter: n for n, letter in enumerate(letters(code, {entry.letter for entry in filed}))}
        self.filed = sorted(filed, key=lambda entry: (order[entry.letter], sort_key(entry.title, code), entry.title, entry.pk))

    def counts(self):
        """{letter: how many} for every letter of the alphabet, then any others used."""
        counts = dict.fromkeys(letters(self.code, {entry.letter for entry in self.filed}), 0)
        for entry in self.filed:
            counts[entry.letter] += 1
        return counts

    def starting_with(self, letter):
        return [entry.pk for entry in self.filed if entry.letter == letter]

    def by_letter(self):
        """(letter, cards) for every letter, in order: the cards of the whole list."""
        cards = self.cards([entry.pk for entry in self.filed])
        return [(letter, [card for card in cards if card.letter == letter]) for letter in self.counts()]

    def cards(self, pks):
        """The cards of these procedures, in this order, in the language where translated: one query."""
        found = self.procedures.filter(pk__in=pks).annotate(
            shown_title=Subquery(translated(self.code, "title")), shown_summary=Subquery(translated(self.code, "summary"))
        )
        by_pk = {procedure.pk: procedure for procedure in found}
        letters_of = {entry.pk: entry.letter for entry in self.filed}
        return [Card.of(by_pk[pk], self.code, letters_of[pk]) for pk in pks if pk in by_pk]


def translated(code, field):
    """A field of the procedure's published translation into a language, for annotate()."""
    rows = ProcedureTranslation.objects.published().filter(procedure=OuterRef("pk"), language=code)
    return rows.values(field)[:1]


@dataclass(frozen=True)
class Card:
    """A procedure's card on a list: the page in the list's language where it has a published
    translation, else the English page marked as English (`language`)."""

    page: object
    letter: str = ""
    language: dict | None = None

    @classmethod
    def of(cls, procedure, code, letter=""):
        if procedure.shown_title is None:
            return cls(procedure, letter, language(settings.LANGUAGE_CODE))
        words = ProcedureTranslation(
            procedure=procedure, language=code, title=procedure.shown_title, summary=procedure.shown_summary
        )
        return cls(TranslatedPage(procedure, words), letter)
