"""content/ ⇄ database: loadcontent and dumpcontent, as a developer or editor runs them."""

import pytest
from django.core.management.base import CommandError

from procedures.contentfiles import CONTENT_DIR, KINDS
from procedures.contentfiles.translations import files_to_load
from procedures.models import (
    TEXT_TRANSLATIONS,
    Author,
    Disclaimer,
    GlossaryTerm,
    Procedure,
    Reference,
    RelatedLink,
    SitePage,
    Specialty,
)
from procedures.publishing.content import save_content
from tests.helpers import run

# The files loaded: each text's own, and translations of the kinds that have them (others are skipped).
LOADED = [path for kind in KINDS for _, path in files_to_load(kind, CONTENT_DIR / kind.folder)[0]]
FILES = len(LOADED)


def counts():
    return {model.__name__: model.objects.count() for model in (Specialty, Author, Disclaimer, Procedure, RelatedLink, Reference)}


def test_loadcontent_creates_everything_once_then_reports_it_unchanged(db, content):
    first = run("loadcontent", content)
    assert f"{FILES} created, 0 updated, 0 unchanged" in first
    assert "created  content/procedures/mesotherapy.md" in first
    loaded = counts()
    assert loaded == {"Specialty": 3, "Author": 2, "Disclaimer": 1, "Procedure": 2, "RelatedLink": 3, "Reference": 7}

    again = run("loadcontent", content)
    assert f"0 created, 0 updated, {FILES} unchanged" in again
    assert counts() == loaded


def test_a_changed_file_updates_its_page_without_duplicating_it(db, content, client):
    run("loadcontent", content)
    page = content / "procedures" / "mesotherapy.md"
    page.write_text(page.read_text().replace("title: Mesotherapy\n", "title: Mesotherapy explained\n"))
    output = run("loadcontent", content)
    assert "updated  content/procedures/mesotherapy.md" in output
    assert "1 updated" in output
    assert Procedure.objects.filter(slug="mesotherapy").count() == 1
    assert '<h1 id="page-title">Mesotherapy explained</h1>' in client.get("/procedures/mesotherapy/").content.decode()


def test_the_shipped_content_is_complete(shipped_content):
    for procedure in Procedure.objects.all():
        assert procedure.is_published
        for field, title, _ in Procedure.SECTIONS:
            assert len(getattr(procedure, field).split()) >= 40, f"{procedure.slug}: {title} is too thin"
    assert Disclaimer.site_default().slug == "medical-information"
    assert set(Specialty.objects.values_list("slug", flat=True)) == {
        "aesthetic-medicine-and-cosmetology",
        "dermatology",
        "plastic-and-cosmetic-surgery",
    }


def test_shipped_content_does_not_name_the_reference_sites_brand():
    for path in CONTENT_DIR.rglob("*.md"):
        assert "mya care" not in path.read_text().lower(), path


def test_dump_then_load_into_an_empty_database_then_dump_gives_identical_files(db, content, tmp_path):
    run("loadcontent", content)
    run("dumpcontent", tmp_path / "first")
    for model in (*TEXT_TRANSLATIONS, Procedure, Author, Disclaimer, Specialty, GlossaryTerm, SitePage):
        model.objects.all().delete()
    run("loadcontent", tmp_path / "first")
    run("dumpcontent", tmp_path / "second")
    first = {p.relative_to(tmp_path / "first"): p.read_text() for p in (tmp_path / "first").rglob("*.md")}
    second = {p.relative_to(tmp_path / "second"): p.read_text() for p in (tmp_path / "second").rglob("*.md")}
    assert len(first) == FILES
    assert first == second


def test_the_shipped_files_are_already_in_the_dumped_form(db, content, tmp_path):
    run("loadcontent", content)
    run("dumpcontent", tmp_path / "dumped")
    for path in LOADED:
        assert (tmp_path / "dumped" / path.relative_to(CONTENT_DIR)).read_text() == path.read_text(), path


def test_dumpcontent_removes_files_of_pages_that_no_longer_exist(db, content):
    run("loadcontent", content)
    Procedure.objects.get(slug="mesotherapy-for-hair-loss").delete()
    run("dumpcontent", content)
    assert not (content / "procedures" / "mesotherapy-for-hair-loss.md").exists()
    assert (content / "procedures" / "mesotherapy.md").exists()


BROKEN_FILES = [
    ("procedures/mesotherapy.md", "summary: Mesotherapy", "summary: " + "very long " * 30, "field 'summary'"),
    ("procedures/mesotherapy.md", "author: anand-lakhkar", "author: nobody", "field 'author': no author 'nobody'"),
    (
        "procedures/mesotherapy.md",
        "- dermatology\n",
        "- dermatology\n- astrology\n",
        "field 'specialties': no specialty 'astrology'",
    ),
    ("procedures/mesotherapy.md", "## Risks and side effects", "## Dangers", "unknown section heading '## Dangers'"),
    ("procedures/mesotherapy.md", "status: published", "status: live", "field 'status'"),
    ("procedures/mesotherapy.md", "first_published: 2026-11-26", "first_published: 2026-13-45", "field 'first_published'"),
    ("procedures/mesotherapy.md", "title: Mesotherapy", "title: [unclosed", "front matter is not valid YAML"),
    ("procedures/mesotherapy.md", "title: Mesotherapy", "title: Mesotherapy\ncolour: blue", "unknown field 'colour'"),
    ("procedures/mesotherapy.md", "url: /procedures/mesotherapy-for-hair-loss/", "url: javascript:alert(1)", "field 'url'"),
    ("authors/anand-lakhkar.md", "photo: ''", "photo: images/missing.jpg", "no uploaded file 'images/missing.jpg'"),
    ("procedures/mesotherapy.md", "doi: 10.4103/0378-6323.77479", "doi: not-a-doi", "field 'references': field 'doi'"),
    ("procedures/mesotherapy.md", "changes: []", "changes:\n- date: 2026-02-30\n  note: x", "field 'date'"),
    ("procedures/mesotherapy.md", "reviewer: anand-lakhkar", "reviewer: ''", "has not had a medical review yet"),
    ("glossary/alopecia.md", "- alopecias", "- 42", "field 'also_matches'"),
    (
        "procedures/mesotherapy.md",
        "related_procedures:\n- mesotherapy-for-hair-loss",
        "related_procedures:\n- no-such-page",
        "no procedure 'no-such-page'",
    ),
    ("pages/privacy.md", "title: Privacy", "title: ''", "field 'title'"),
    ("disclaimers/medical-information.md", "is_default: true", "is_default: false", "always have a default disclaimer"),
]


@pytest.mark.parametrize("path, old, new, message", BROKEN_FILES)
def test_a_broken_file_is_reported_by_name_and_field_and_nothing_changes(db, content, path, old, new, message):
    run("loadcontent", content)
    before = {p.slug: (p.title, p.summary, p.risks, p.author_id) for p in Procedure.objects.all()}
    other = content / "procedures" / "mesotherapy-for-hair-loss.md"
    other.write_text(other.read_text().replace("title: Mesotherapy for hair loss", "title: Hair loss injections"))
    broken = content / path
    assert old in broken.read_text()
    broken.write_text(broken.read_text().replace(old, new, 1))

    with pytest.raises(CommandError) as error:
        run("loadcontent", content)
    assert f"content/{path}" in str(error.value)
    assert message in str(error.value)
    assert "Nothing was loaded" in str(error.value)
    after = {p.slug: (p.title, p.summary, p.risks, p.author_id) for p in Procedure.objects.all()}
    assert after == before  # not even the good file's change was applied


def test_a_broken_file_in_an_empty_database_loads_nothing(db, content):
    (content / "procedures" / "zz-broken.md").write_text("no front matter here\n")
    with pytest.raises(CommandError, match="zz-broken.md: has no front matter"):
        run("loadcontent", content)
    assert not any(counts().values())


def test_a_file_that_is_not_text_is_reported(db, content):
    (content / "authors" / "binary.md").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="binary.md: is not UTF-8 text"):
        run("loadcontent", content)


def test_two_default_disclaimers_are_refused(db, content):
    (content / "disclaimers" / "second.md").write_text("---\ntitle: Another\nis_default: true\n---\nWords.\n")
    with pytest.raises(CommandError, match="only one disclaimer can have `is_default: true`"):
        run("loadcontent", content)


def test_dry_run_reports_but_saves_nothing(db, content):
    output = run("loadcontent", content, dry_run=True)
    assert f"Dry run, nothing saved: {FILES} created" in output
    assert Procedure.objects.count() == 0


def test_reloading_keeps_changes_editors_made_in_the_admin(db, content):
    run("loadcontent", content)
    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.risks = "Edited in the admin."
    save_content(procedure)
    assert f"0 updated, {FILES} unchanged" in run("loadcontent", content)
    procedure.refresh_from_db()
    assert procedure.risks == "Edited in the admin."


def test_a_page_changed_in_the_admin_and_in_its_file_is_a_conflict_unless_forced(db, content):
    run("loadcontent", content)
    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.risks = "Edited in the admin."
    save_content(procedure)
    page = content / "procedures" / "mesotherapy.md"
    page.write_text(page.read_text().replace("title: Mesotherapy\n", "title: Edited in the file\n"))

    with pytest.raises(CommandError, match="changed in the admin since the file was last loaded"):
        run("loadcontent", content)
    procedure.refresh_from_db()
    assert procedure.risks == "Edited in the admin."

    run("loadcontent", content, force=True)
    procedure.refresh_from_db()
    assert procedure.title == "Edited in the file"


def test_dumping_admin_changes_then_loading_is_not_a_conflict(db, content):
    run("loadcontent", content)
    procedure = Procedure.objects.get(slug="mesotherapy")
    procedure.risks = "Edited in the admin."
    save_content(procedure)
    run("dumpcontent", content)
    assert f"{FILES} unchanged" in run("loadcontent", content)
    assert "Edited in the admin." in (content / "procedures" / "mesotherapy.md").read_text()


def test_a_glossary_change_in_content_links_the_term_on_every_page(db, content, client):
    run("loadcontent", content)
    (content / "glossary" / "scalp.md").write_text("---\nterm: Scalp\nalso_matches: []\n---\nThe skin on the top of your head.\n")
    run("loadcontent", content)
    html = client.get("/procedures/mesotherapy-for-hair-loss/").content.decode()
    assert 'href="#term-scalp"' in html and 'id="term-scalp"' in html
