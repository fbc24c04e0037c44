"""Translations of a page: rules the database itself enforces."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from procedures.models import ProcedureTranslation
from tests.factories import ProcedureFactory, TranslationFactory


def test_the_database_refuses_a_published_translation_without_a_medical_review(db):
    draft = TranslationFactory(status=ProcedureTranslation.Status.DRAFT, reviewer=None, last_reviewed=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureTranslation.objects.filter(pk=draft.pk).update(status=ProcedureTranslation.Status.PUBLISHED)
    reviewed = TranslationFactory(language="ar")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureTranslation.objects.filter(pk=reviewed.pk).update(last_reviewed=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureTranslation.objects.filter(pk=reviewed.pk).update(reviewer=None)


def test_the_database_refuses_a_published_translation_without_its_risks(db):
    translated = TranslationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureTranslation.objects.filter(pk=translated.pk).update(risks="")


def test_a_page_has_one_translation_per_language(db):
    procedure = ProcedureFactory()
    TranslationFactory(procedure=procedure, language="es")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureTranslation.objects.create(procedure=procedure, language="es", title="Otra", translated_by=procedure.author)


def test_deleting_a_translator_or_reviewer_is_refused_and_deleting_the_page_takes_its_translations(db):
    translated = TranslationFactory()
    for person in (translated.translated_by, translated.reviewer):
        with pytest.raises(ProtectedError):
            person.delete()
    translated.procedure.delete()
    assert not ProcedureTranslation.objects.exists()


def test_a_translation_is_named_and_addressed_in_its_language(db):
    translated = TranslationFactory(procedure=ProcedureFactory(title="Mesotherapy", slug="mesotherapy"))
    assert str(translated) == "Mesotherapy (Español)"
    assert translated.get_absolute_url() == "/es/procedures/mesotherapy/"
