"""Reading level, measured on what patients get and shown where editors write."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from procedures.models import Procedure
from procedures.text.readability import measure, measure_in, plain_text
from tests.factories import ProcedureFactory, TranslationFactory
from tests.html import form_fields, page, text

EASY = "<p>The cat sat on the mat. It was a warm day. The cat was glad.</p>"
HARD = (
    "<p>Mesotherapy constitutes a minimally invasive intervention whereby pharmacological preparations, "
    "including phosphatidylcholine, hyaluronidase and collagenase, are administered intradermally, "
    "purportedly facilitating lipolysis, neovascularisation and dermal rejuvenation, notwithstanding "
    "considerable methodological heterogeneity characterising the supporting literature.</p>"
)


def test_readability_figures_for_a_known_easy_text():
    found = measure(EASY)
    assert found.words == 15
    assert found.grade < 2
    assert found.minutes == 1
    assert not found.above_target


def test_readability_figures_for_a_known_hard_text():
    found = measure(HARD)
    assert found.words == 32
    assert found.grade > 20
    assert found.above_target


def test_each_list_item_and_heading_counts_as_a_sentence():
    assert plain_text("<h3>Risks</h3><ul><li>pain</li><li>itching</li></ul><p>See a doctor.</p>") == (
        "Risks. pain. itching. See a doctor."
    )
    assert plain_text("<p>Fish &amp; chips</p>") == "Fish & chips."


def test_reading_time_is_shown_at_the_top_of_the_page(client, shipped_content):
    byline = page(client.get("/procedures/mesotherapy/")).find(class_="byline")
    procedure = Procedure.objects.get(slug="mesotherapy")
    assert f"{procedure.reading_minutes} min read" in byline.get_text()
    assert 3 <= procedure.reading_minutes <= 6


def test_the_shipped_pages_meet_the_reading_target(shipped_content, settings):
    for procedure in Procedure.objects.all():
        assert procedure.word_count > 500, procedure
        assert procedure.reading_grade <= settings.READING_GRADE_TARGET, procedure
        assert procedure.smog_grade <= settings.READING_GRADE_TARGET, procedure


def test_editors_see_the_reading_level_in_the_list_and_on_the_form(editor_client, settings):
    easy = ProcedureFactory(title="Easy page", what_it_is="The cat sat on the mat. It was a warm day.", risks="It may rain.")
    ProcedureFactory(title="Hard page", what_it_is=HARD, risks=HARD)
    changelist = page(editor_client.get(reverse("admin:procedures_procedure_changelist")))
    cells = {
        row.th.get_text(strip=True): row.select_one("td.field-reading_level").get_text(strip=True)
        for row in changelist.select("#result_list tbody tr")
    }
    assert "above target" in cells["Hard page"]
    assert "above target" not in cells["Easy page"]

    form = text(editor_client.get(reverse("admin:procedures_procedure_change", args=[easy.pk])))
    assert f"target: grade {settings.READING_GRADE_TARGET:g} or below" in form


def test_the_live_preview_shows_the_reading_level(editor_client):
    note = page(editor_client.post("/editor/preview/", {"content": "The cat sat on the mat. It was warm."})).find(
        "p", class_="editor-readability"
    )
    assert "Reading level: grade" in note.get_text() and "Above target" not in note.get_text()
    hard = page(editor_client.post("/editor/preview/", {"content": HARD})).find("p", class_="editor-readability")
    assert "Above target" in hard.get_text()


def test_saving_a_hard_page_works_but_warns(editor_client):
    procedure = ProcedureFactory()
    change = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    response = editor_client.post(change, {**form_fields(editor_client.get(change)), "what_it_is": HARD}, follow=True)
    procedure.refresh_from_db()
    assert procedure.what_it_is == HARD
    warnings = [str(message) for message in get_messages(response.wsgi_request)] or [text(response)]
    assert any("above the target of grade 8" in message for message in warnings)
    assert "The page was saved." in text(response)


@pytest.mark.parametrize("url", ["/procedures/mesotherapy/", "/procedures/mesotherapy-for-hair-loss/"])
def test_readability_is_not_shown_to_patients(url, shipped_content):
    assert "Flesch" not in text(Client().get(url))


# In the page's language ----------------------------------------------------------------------

EASY_SPANISH = "<p>Es un tratamiento corto. Se hace en la consulta. Puede doler un poco.</p>"
HARD_SPANISH = (
    "<p>La mesoterapia constituye una intervención terapéutica mínimamente invasiva caracterizada por la "
    "administración intradérmica de microdosis farmacológicas, habitualmente polivitamínicas, destinadas a "
    "estimular la regeneración tisular.</p>"
)
ARABIC = "<p>الميزوثيرابي علاج بحقن صغيرة في الجلد. قد تظهر كدمات خفيفة.</p>"


def test_spanish_is_measured_with_spanish_measures():
    easy, hard = measure_in(EASY_SPANISH, "es"), measure_in(HARD_SPANISH, "es")
    assert easy.has_measure and [score.name for score in easy.scores] == ["Fernández Huerta", "Szigriszt-Pazos (INFLESZ)"]
    assert easy.words == 13 and easy.minutes == 1
    assert all(score.score > 70 for score in easy.scores) and not easy.above_target
    assert all(score.score < 40 for score in hard.scores) and hard.above_target


def test_arabic_has_no_measure_rather_than_a_wrong_one():
    found = measure_in(ARABIC, "ar")
    assert not found.has_measure and found.scores == () and not found.above_target
    assert found.words == 10 and found.minutes == 1


def test_measuring_one_language_never_changes_another_ones_measure():
    import textstat  # noqa: PLC0415

    english = measure(HARD)
    measure_in(HARD_SPANISH, "es")
    assert measure(HARD) == english
    textstat.set_lang("es")  # someone else's code changing textstat's shared language
    try:
        assert measure(HARD) == english
    finally:
        textstat.set_lang("en_US")


def test_a_translated_page_shows_the_time_its_own_words_take_to_read(client, db):
    long_spanish = "\n\n".join(["Es un tratamiento corto y sencillo que se hace en la consulta."] * 60)
    translated = TranslationFactory(what_it_is=long_spanish)
    byline = page(client.get(f"/es/procedures/{translated.procedure.slug}/")).find(class_="byline").get_text()
    assert "4 min" in byline  # about 720 words, not the English page's minute
