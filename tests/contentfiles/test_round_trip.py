"""content/ loses nothing editors can type: whatever a text field holds, dumping it, loading the
files into an empty database and dumping again gives the same text and the same files."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from procedures.contentfiles import dump_content, load_content
from procedures.contentfiles.reading import normal_line_endings
from procedures.models import (
    TEXT_TRANSLATIONS,
    Author,
    AuthorTranslation,
    BodyArea,
    Condition,
    Disclaimer,
    DisclaimerTranslation,
    FormerSlug,
    GlossaryTerm,
    LoadedContentFile,
    Procedure,
    ProcedureTranslation,
    SitePage,
    SitePageTranslation,
    Specialty,
)
from procedures.publishing.content import save_content
from tests.factories import ProcedureFactory
from tests.helpers import change_url
from tests.html import error_messages, form_fields

SECTION_TITLES = [title for _, title, _ in Procedure.SECTIONS]
TRANSLATED_TITLES = ["Qué es", "Riesgos y efectos secundarios", "ما هو هذا العلاج", "المخاطر والآثار الجانبية"]

# Lines editors write: their own headings at every level (named like a section too), code,
# tables, lists, footnotes and citations, rules, quotes, pictures, trailing spaces, non-ASCII.
SPECIAL_LINES = [
    "",
    "    indented_code(1)",
    "\tcode after a tab",
    "```",
    "~~~ python",
    "| Dose | How often |",
    "| --- | :-: |",
    "| 1 ml | weekly |",
    "- a list item",
    "  - nested",
    "1. first",
    "> a quote",
    "Cited.[^1] And a footnote.[^note]",
    "[^note]: The footnote.",
    "---",
    "***",
    "Two spaces make a line break  ",
    "A tab at the end\t",
    "Ünïcödé — “quotes”, 日本語, emoji 🙂, right-to-left עברית",
    "![A picture](/media/images/picture.png)",
    "<b>raw HTML</b> <!-- a comment -->",
    "#hashtag",
    "#",
    "##",
    "## ",
    "  ## indented heading",
    "\u00a0non-breaking space first",
    "line\u2028separator and next\x85line",
    "form\x0cfeed",
]
heading = st.builds(
    lambda level, title: f"{'#' * level} {title}",
    st.integers(1, 8),
    st.sampled_from(
        [*SECTION_TITLES, *(title.upper() for title in SECTION_TITLES), *TRANSLATED_TITLES, "My own heading", "What it is not"]
    ),
)
# Any text at all, but "!" (a random "![…](…)" would be a picture from outside, refused on saving)
# and NUL (no form or database takes it).
free_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\n!"), max_size=30)
line = st.one_of(heading, st.sampled_from(SPECIAL_LINES), free_text, st.builds(" ".__mul__, st.integers(1, 6)).map(str))
edges = st.sampled_from(["", "", "", "\n", "\n\n", " ", "    ", "  \n", "\t", "\r\n"])


@st.composite
def markdown(draw, required=False):
    text = draw(edges) + "\n".join(draw(st.lists(line, max_size=10))) + draw(edges)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")  # as browsers send a text box
    if required and not text:
        text = "x"
    return text


def texts():
    """A text for every Markdown field of every kind of content file."""
    return st.fixed_dictionaries(
        {
            **{(Procedure, field): markdown() for field, _, _ in Procedure.SECTIONS},
            **{(ProcedureTranslation, field): markdown() for field, _, _ in Procedure.SECTIONS},
            (Author, "bio"): markdown(),
            (AuthorTranslation, "bio"): markdown(),
            (DisclaimerTranslation, "body"): markdown(required=True),
            (SitePageTranslation, "body"): markdown(required=True),
            (Disclaimer, "body"): markdown(required=True),
            (SitePage, "body"): markdown(required=True),
            (GlossaryTerm, "definition"): markdown(required=True),
            (Specialty, "description"): markdown(),
            (Condition, "description"): markdown(),
            (BodyArea, "description"): markdown(),
        }
    )


def make_site(texts, translated=None):
    """One object of each kind, holding the texts, saved as they are, and translations of the
    page, the disclaimer, the site page and the author (`translated`: their language and, if out
    of date, since when)."""

    def text(model, field):
        return texts.get((model, field), "")

    specialty = Specialty.objects.create(name="Dermatology", slug="dermatology", description=text(Specialty, "description"))
    Condition.objects.create(name="Hair loss", slug="hair-loss", description=text(Condition, "description"))
    BodyArea.objects.create(name="Scalp", slug="scalp", description=text(BodyArea, "description"))
    author = Author.objects.create(name="Dr A", slug="dr-a", bio=text(Author, "bio"))
    disclaimer = Disclaimer.objects.create(title="Note", slug="note", is_default=True, body=text(Disclaimer, "body"))
    site_page = SitePage.objects.create(title="About", slug="about-our-content", body=text(SitePage, "body"))
    GlossaryTerm.objects.create(term="Scalp", slug="scalp", definition=text(GlossaryTerm, "definition"))
    sections = {field: text(Procedure, field) for field, _, _ in Procedure.SECTIONS}
    procedure = Procedure.objects.create(title="Page", slug="page", summary="A page.", author=author, **sections)
    procedure.specialties.set([specialty])
    language, behind = translated or ("es", None)
    provenance = {
        "language": language,
        "translated_by": author,
        "translated_from_date": procedure.last_updated - datetime.timedelta(days=7 if behind else 0),
        "out_of_date_since": behind,
    }
    ProcedureTranslation.objects.create(
        procedure=procedure,
        title="Página",
        summary="Una página.",
        translated_from=procedure.edit_version,
        **provenance,
        **{field: text(ProcedureTranslation, field) for field, _, _ in Procedure.SECTIONS},
    )
    DisclaimerTranslation.objects.create(source=disclaimer, title="Nota", body=text(DisclaimerTranslation, "body"), **provenance)
    SitePageTranslation.objects.create(source=site_page, title="Acerca", body=text(SitePageTranslation, "body"), **provenance)
    AuthorTranslation.objects.create(source=author, bio=text(AuthorTranslation, "bio"), disclosure="Ninguno.", **provenance)


def empty_the_database():
    # Translations first: they name their translators (PROTECT).
    for model in (
        *TEXT_TRANSLATIONS,
        Procedure,
        FormerSlug,
        Author,
        Disclaimer,
        SitePage,
        GlossaryTerm,
        Specialty,
        Condition,
        BodyArea,
    ):
        model.objects.all().delete()
    LoadedContentFile.objects.all().delete()


def files(directory):
    return {path.relative_to(directory): path.read_bytes() for path in Path(directory).rglob("*.md")}


# A translation in each language, up to date or out of date since a moment (to the microsecond).
translations = st.tuples(
    st.sampled_from(["es", "ar"]),
    st.none() | st.datetimes(datetime.datetime(2020, 1, 1), datetime.datetime(2030, 1, 1), timezones=st.just(datetime.UTC)),
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts(), translations)
@example(  # the editor's own headings at every level, named like sections (in either language), in every section
    {
        (model, field): f"{'#' * level} {titles[level - 1]}\n\n{'#' * (7 - level)} Own\n\n    code"
        for model, titles in [(Procedure, SECTION_TITLES), (ProcedureTranslation, [*TRANSLATED_TITLES, *SECTION_TITLES])]
        for level, (field, _, _) in enumerate(Procedure.SECTIONS, start=1)
    }
    | {
        (model, field): "text"
        for model, field in [
            (Disclaimer, "body"),
            (SitePage, "body"),
            (GlossaryTerm, "definition"),
            (DisclaimerTranslation, "body"),
            (SitePageTranslation, "body"),
        ]
    },
    ("es", datetime.datetime(2026, 12, 1, 9, 30, 0, 123456, tzinfo=datetime.UTC)),
)
def test_every_text_comes_back_exactly_after_dump_load_dump(db, tmp_path, texts, translated):
    empty_the_database()
    make_site(texts, translated)
    first, second = tmp_path / "first", tmp_path / "second"  # each dump replaces the last example's files
    dump_content(first)
    empty_the_database()
    load_content(first)
    for (model, field), text in texts.items():
        # Lines end in LF whatever the browser sent: the only change, and no change to Markdown.
        assert getattr(model.objects.get(), field) == normal_line_endings(text), (model, field)
    for model in (ProcedureTranslation, DisclaimerTranslation, SitePageTranslation, AuthorTranslation):
        loaded = model.objects.get()
        assert (loaded.language, loaded.out_of_date_since) == translated, model  # still out of date (or not) since then
    dump_content(second)
    assert files(second) == files(first)


def test_a_section_holding_its_own_level_2_headings_stays_readable(db, tmp_path):
    procedure = ProcedureFactory(
        what_it_is="## How it works\n\nLike this.\n\n## What it is\n\nAn editor's heading named like a section.",
        risks="### Rare\n\nScars.",
    )
    dump_content(tmp_path)
    body = (tmp_path / "procedures" / f"{procedure.slug}.md").read_text().split("---\n", 2)[2]
    assert body.startswith("# What it is\n\n## How it works\n\nLike this.\n\n## What it is\n\nAn editor's heading")
    assert "\n# Risks and side effects\n\n### Rare\n\nScars.\n" in body
    loaded = loaded_back(tmp_path)
    assert (loaded.what_it_is, loaded.risks) == (procedure.what_it_is, procedure.risks)


def test_text_a_body_cannot_hold_exactly_goes_in_the_front_matter(db, tmp_path):
    procedure = ProcedureFactory(risks="    Indented code first.\n\nTrailing spaces  ", recovery="\n\nBlank lines first.")
    dump_content(tmp_path)
    text = (tmp_path / "procedures" / f"{procedure.slug}.md").read_text()
    assert "## Risks and side effects" not in text and 'risks: "    Indented code first.\\n\\nTrailing spaces  "' in text
    assert "recovery: |2-\n\n\n  Blank lines first.\n---\n" in text
    loaded = loaded_back(tmp_path)
    assert (loaded.risks, loaded.recovery) == (procedure.risks, procedure.recovery)


def loaded_back(directory):
    """The one page, as loading the dumped files into an empty database gives it back."""
    empty_the_database()
    load_content(directory)
    return Procedure.objects.get()


def test_a_section_given_twice_is_refused(db, tmp_path):
    procedure = ProcedureFactory(risks="Bruising.")
    dump_content(tmp_path)
    path = tmp_path / "procedures" / f"{procedure.slug}.md"
    path.write_text(path.read_text().replace("title:", "risks: Scars.\ntitle:", 1))
    with pytest.raises(CommandError, match="section 'risks' is given twice"):
        call_command("loadcontent", tmp_path, stdout=io.StringIO())


def test_what_browsers_send_is_saved_as_a_file_gives_it_back(editor_client, tmp_path):
    procedure = ProcedureFactory()
    data = {**form_fields(editor_client.get(change_url(procedure))), "risks": "One.\r\n\r\n    Two.  \r\nThree."}
    response = editor_client.post(change_url(procedure), data)
    assert response.status_code == 302, error_messages(response)
    procedure.refresh_from_db()
    assert procedure.risks == "One.\n\n    Two.  \nThree."


def test_text_saved_with_cr_lf_before_is_not_a_conflict_after_a_dump(db, tmp_path):
    procedure = ProcedureFactory(risks="Old.")
    dump_content(tmp_path)
    load_content(tmp_path)
    procedure.risks = "Saved from a browser\r\nbefore line endings were kept as LF."
    save_content(procedure)  # changed in the admin since the file was loaded
    dump_content(tmp_path)
    report = load_content(tmp_path)  # no conflict: the file says what the database says
    assert f"{tmp_path.name}/procedures/{procedure.slug}.md" in report.unchanged
