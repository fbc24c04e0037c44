"""The site's own words in every language: each template's text is marked for translation, every
catalogue translates all of it, and a page asked for in Spanish or Arabic is in that language."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.template import engines
from django.template.base import Lexer, TokenType
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import reverse
from django.utils import translation

from procedures.models import Procedure, ReviewState
from procedures.web import views

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LOCALE = Path(settings.BASE_DIR) / "procedures" / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

# Words that stay as they are in every language: the site's name and a few technical names.
SAME_IN_EVERY_LANGUAGE = {"mesocare", "doi", "API", "JSON", "HTML", "oEmbed", "QR", "A", "Z"}
# Attributes people read (or hear, through a screen reader); <meta content> is one too, unless its
# name says it holds a keyword for machines.
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
MACHINE_METAS = {"viewport", "robots", "og:type", "twitter:card"}
CODE_ELEMENTS = {"code", "pre", "script", "style"}  # examples of addresses and code, the same in any language
WORD = re.compile(r"[^\W\d_][\w’'-]*")


def template_names():
    return sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))


def left_untranslated(source):
    """The template's text outside {% translate %}, {% blocktranslate %} and comments, with its
    variables and other tags taken out: what a visitor would read in English in any language."""
    kept, skipping = [], None
    for token in Lexer(source).tokenize():
        name = token.contents.split(maxsplit=1)[0] if token.token_type == TokenType.BLOCK and token.contents else ""
        if skipping:
            if name == skipping:
                skipping = None
        elif name in {"comment", "blocktranslate", "blocktrans"}:
            skipping = "endcomment" if name == "comment" else f"end{name}"
        elif token.token_type == TokenType.TEXT:
            kept.append(token.contents)
    return "".join(kept)


class ReadText(HTMLParser):
    """The text of an HTML fragment that people read: its text (not code) and read attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.attributes, self.in_code = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag in CODE_ELEMENTS:
            self.in_code += 1
        self.attributes += [attrs[name] for name in READ_ATTRIBUTES if name in attrs]
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
            self.attributes.append(attrs.get("value", ""))
        if tag == "meta" and "content" in attrs and (attrs.get("name") or attrs.get("property")) not in MACHINE_METAS:
            self.attributes.append(attrs["content"])

    def handle_endtag(self, tag):
        if tag in CODE_ELEMENTS:
            self.in_code -= 1

    def handle_data(self, data):
        if not self.in_code:
            self.text.append(data)


def unmarked_words(source):
    """Every piece of read text in a template that carries a word not marked for translation."""
    reader = ReadText()
    reader.feed(left_untranslated(source))
    reader.close()
    # Text nodes side by side are one run of text ("meso<span>care</span>" reads "mesocare").
    pieces = ["".join(reader.text), *reader.attributes]
    return [
        " ".join(piece.split()) for piece in pieces if any(word not in SAME_IN_EVERY_LANGUAGE for word in WORD.findall(piece))
    ]


@pytest.mark.parametrize("name", template_names())
def test_every_word_a_visitor_reads_is_marked_for_translation(name):
    unmarked = unmarked_words((TEMPLATES / name).read_text())
    assert not unmarked, f"{name} has text not marked for translation: {unmarked}"


def test_the_check_finds_unmarked_text_and_passes_marked_text():
    assert unmarked_words('<p title="Hello {{ name }}">Hi <b>{{ name }}</b></p>') == ["Hi", "Hello"]
    assert unmarked_words('<img alt="A picture"><meta name="description" content="About us">') == ["A picture", "About us"]
    assert unmarked_words('<input type="submit" value="Save">') == ["Save"]
    marked = (
        '{% load i18n %}<p title="{% translate "Hello" %}">{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}</p>'
        '{# a note #}{% comment %}Not shown{% endcomment %}<code>/api/v1/</code><meta name="robots" content="noindex">'
        "meso<span>care</span> · API"
    )
    assert unmarked_words(marked) == []


# The catalogues ------------------------------------------------------------------------------


def catalogue(language):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po:
        return read_po(po, locale=language.replace("-", "_"))


def messages_in_templates():
    """(msgid, context) of every {% translate "…" %} and {% blocktranslate %} in the templates, as
    Django looks them up (blocktranslate's variables as %(name)s, trimmed if asked)."""
    found = set()
    engine = engines["django"].engine
    for name in template_names():
        nodelist = engine.get_template(name).nodelist
        for node in nodelist.get_nodes_by_type(TranslateNode):
            literal = node.filter_expression.var.literal  # None for {% translate variable %}
            if literal is not None and not node.noop:
                found.add((str(literal), node.message_context and node.message_context.resolve({})))
        for node in nodelist.get_nodes_by_type(BlockTranslateNode):
            context = node.message_context and node.message_context.resolve({})
            found.add((node.render_token_list(node.singular)[0], context))
    return found


def test_the_templates_have_messages_to_translate():
    found = messages_in_templates()
    assert ("Skip to main content", None) in found
    assert ("Please try again in %(seconds)s second. Meanwhile, you can still read every page:", None) in found
    assert len(found) > 200


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language):
    messages = catalogue(language)
    missing = sorted(msgid for msgid, context in messages_in_templates() if messages.get(msgid, context) is None)
    assert not missing, f"not in {language}'s catalogue (run makemessages): {missing}"
    section_titles = [title for _, title, _ in Procedure.SECTIONS]
    assert not [title for title in section_titles if messages.get(title) is None], "section titles not in the catalogue"
    untranslated, fuzzy = [], []
    for message in messages:
        if not message.id:
            continue  # the header
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(forms) or (message.pluralizable and len(forms) != messages.num_plurals):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{language}: not translated: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy (check, then remove the flag): {fuzzy}"
    assert not messages.fuzzy, f"{language}: the catalogue's header is fuzzy, so Babel would not compile it"
    problems = [(message.id, [str(error) for error in errors]) for message, errors in messages.check()]
    assert not problems, f"{language}: translations that do not fit their message: {problems}"


def test_arabic_has_its_six_plural_forms():
    messages = catalogue("ar")
    assert messages.num_plurals == 6
    seconds = messages.get("Please try again in %(seconds)s second. Meanwhile, you can still read every page:")
    assert len(set(seconds.string)) > 1


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogues_are_compiled(language):
    compiled = LOCALE / language / "LC_MESSAGES" / "django.mo"
    source = compiled.with_suffix(".po")
    assert compiled.exists(), "run `make messages`"
    assert compiled.stat().st_mtime >= source.stat().st_mtime, "run `make messages`: the .mo is older than the .po"


# Pages in each language ----------------------------------------------------------------------


def read(response):
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_home_page_in_spanish_and_arabic(client, shipped_content):
    english, spanish, arabic = (read(client.get(path)) for path in ("/", "/es/", "/ar/"))
    assert "Skip to main content" in english
    assert "Search treatments and conditions" in english
    assert "Treatments by specialty" in english
    assert "Saltar al contenido principal" in spanish
    assert "Buscar tratamientos y afecciones" in spanish
    assert "Tratamientos por especialidad" in spanish
    assert "Skip to main content" not in spanish
    assert "انتقل إلى المحتوى الرئيسي" in arabic
    assert "ابحث عن العلاجات والحالات" in arabic
    assert "العلاجات حسب التخصص" in arabic
    assert "Skip to main content" not in arabic


def test_the_a_to_z_in_arabic(client, shipped_content):
    english, arabic = read(client.get("/procedures/")), read(client.get("/ar/procedures/"))
    assert "Treatments A–Z" in english
    assert "Find a treatment by condition or body area" in english
    assert "العلاجات من الألف إلى الياء" in arabic
    assert "ابحث عن علاج حسب الحالة أو منطقة الجسم" in arabic
    assert "Find a treatment by condition or body area" not in arabic


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_kind_of_page_shows_in_each_language(client, shipped_content, language, monkeypatch, settings):
    """Each template renders in each language, with the site's real content (plural counts, dates,
    names): a mistake in a translation or a {% blocktranslate %} shows here, not to a patient.
    Lists a page long, so that pages, letters and "All N treatments" links show too."""
    monkeypatch.setattr(views, "PROCEDURES_PER_PAGE", 1)
    monkeypatch.setattr(views, "CARDS_PER_SPECIALTY_ON_HOME", 1)
    settings.A_TO_Z_ON_ONE_PAGE = 1
    procedure = Procedure.objects.published().first()
    slugs = {
        "detail": procedure.slug,
        "embed": procedure.slug,
        "handout": procedure.slug,
        "specialty": procedure.specialties.first().slug,
        "condition": procedure.conditions.first().slug,
        "body-area": procedure.body_areas.first().slug,
        "author": procedure.author.slug,
        "author-pages": procedure.author.slug,
    }
    plain = ["home", "index", "conditions", "glossary", "api-docs", "site-disclaimer"]
    with translation.override(language):
        paths = [reverse(f"procedures:{name}") for name in plain]
        paths += [reverse(f"procedures:{name}", args=[slug]) for name, slug in slugs.items()]
        paths += [reverse("procedures:letter", args=["m"]), reverse("procedures:search") + "?q=hair"]
        paths += [reverse("procedures:search") + "?q=zzzzqqq"]
    for path in paths:
        assert path.startswith(f"/{language}/")
        read(client.get(path))
    assert client.get(f"/{language}/no-such-page/").status_code == 404


def test_words_from_python_are_translated_where_shown():
    with translation.override("es"):
        assert str(ReviewState.OVERDUE.label) == "Revisión atrasada"
        assert translation.gettext(Procedure.SECTIONS[4][1]) == "Riesgos y efectos secundarios"
    with translation.override("ar"):
        assert translation.gettext(Procedure.SECTIONS[0][1]) == "ما هو هذا العلاج"
    assert Procedure.SECTIONS[4][1] == "Risks and side effects"  # content/ files name sections in English
