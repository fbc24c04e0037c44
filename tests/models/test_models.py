"""Rules the database itself enforces, whatever writes to it."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from procedures.models import Disclaimer, Procedure
from tests.factories import AuthorFactory, DisclaimerFactory, ProcedureFactory


def test_the_database_refuses_a_second_default_disclaimer(db):
    first = DisclaimerFactory(is_default=True)
    second = DisclaimerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclaimer.objects.filter(pk=second.pk).update(is_default=True)
    assert Disclaimer.site_default() == first


def test_saving_a_new_default_unsets_the_old_one(db):
    first = DisclaimerFactory(is_default=True)
    second = DisclaimerFactory(is_default=True)
    first.refresh_from_db()
    assert not first.is_default and Disclaimer.site_default() == second


def test_the_database_refuses_a_published_page_without_risks(db):
    procedure = ProcedureFactory(status=Procedure.Status.DRAFT, risks="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Procedure.objects.filter(pk=procedure.pk).update(status=Procedure.Status.PUBLISHED)


def test_the_database_refuses_a_picture_without_a_description(db):
    procedure = ProcedureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Procedure.objects.filter(pk=procedure.pk).update(hero_image="images/x.jpg", hero_alt="")


def test_deleting_an_author_with_pages_is_refused(db):
    procedure = ProcedureFactory()
    with pytest.raises(ProtectedError):
        procedure.author.delete()


@pytest.mark.parametrize(
    "name, initials", [("Dr Anand Lakhkar", "AL"), ("Prof. Mary Jane Watson", "MW"), ("Cher", "C"), ("dr ada lee", "AL")]
)
def test_initials_for_the_photo_placeholder(name, initials):
    assert AuthorFactory.build(name=name).initials == initials
