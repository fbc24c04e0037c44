import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from procedures.models import (
    Author,
    Condition,
    ConditionTranslation,
    Disclaimer,
    DisclaimerTranslation,
    Procedure,
    ProcedureTranslation,
    RelatedLink,
    Specialty,
)
from procedures.publishing.content import content_rows_saved, save_content
from procedures.roles import editors_group

PASSWORD = "correct horse battery staple"


class ContentFactory(factory.django.DjangoModelFactory):
    """Content saved the way editors' content always is: through procedures.publishing."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        lookup = {field: kwargs[field] for field in cls._meta.django_get_or_create}
        existing = model_class.objects.filter(**lookup).first() if lookup else None
        return existing or save_content(model_class(*args, **kwargs))


class SpecialtyFactory(ContentFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Specialty {n}")
    slug = factory.Sequence(lambda n: f"specialty-{n}")


class ConditionFactory(ContentFactory):
    class Meta:
        model = Condition

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")


class AuthorFactory(ContentFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Dr Test Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    credentials = "MD"
    role = "Dermatologist"
    bio = "Trained in **dermatology**."


class DisclaimerFactory(ContentFactory):
    class Meta:
        model = Disclaimer

    title = factory.Sequence(lambda n: f"Disclaimer {n}")
    slug = factory.Sequence(lambda n: f"disclaimer-{n}")
    body = "General information only. Talk to your doctor."


class ProcedureFactory(ContentFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Treatment {n}")
    slug = factory.Sequence(lambda n: f"treatment-{n}")
    summary = "A plain summary of the treatment."
    author = factory.SubFactory(AuthorFactory)
    reviewer = factory.SubFactory(AuthorFactory, is_qualified_reviewer=True, credentials="MBBS, FRCP")
    last_reviewed = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    next_review_due = factory.LazyAttribute(lambda procedure: procedure.last_reviewed + datetime.timedelta(days=700))
    status = Procedure.Status.PUBLISHED
    what_it_is = "It is a treatment."
    how_it_is_done = "With a small needle."
    risks = "Bruising and redness."

    @factory.post_generation
    def specialties(self, create, extracted, **kwargs):
        if create:
            self.specialties.set(extracted if extracted is not None else [SpecialtyFactory()])
            content_rows_saved(self)


class RelatedLinkFactory(ContentFactory):
    class Meta:
        model = RelatedLink

    procedure = factory.SubFactory(ProcedureFactory)
    title = factory.Sequence(lambda n: f"Further reading {n}")
    url = "https://www.nhs.uk/conditions/hair-loss/"


class TranslationFactory(ContentFactory):
    """A published, medically reviewed Spanish translation of a page."""

    class Meta:
        model = ProcedureTranslation

    procedure = factory.SubFactory(ProcedureFactory)
    language = "es"
    title = factory.Sequence(lambda n: f"Tratamiento {n}")
    summary = "Un resumen sencillo del tratamiento."
    status = ProcedureTranslation.Status.PUBLISHED
    what_it_is = "Es un tratamiento."
    how_it_is_done = "Con una aguja pequeña."
    risks = "Moratones y enrojecimiento."
    translated_by = factory.SubFactory(AuthorFactory)
    reviewer = factory.SubFactory(AuthorFactory, is_qualified_reviewer=True, credentials="MD")
    last_reviewed = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))


class TextTranslationFactory(ContentFactory):
    """A published, medically reviewed Spanish translation of one of the site's texts."""

    class Meta:
        abstract = True

    language = "es"
    status = DisclaimerTranslation.Status.PUBLISHED
    translated_by = factory.SubFactory(AuthorFactory)
    reviewer = factory.SubFactory(AuthorFactory, is_qualified_reviewer=True, credentials="MD")
    last_reviewed = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))


class DisclaimerTranslationFactory(TextTranslationFactory):
    class Meta:
        model = DisclaimerTranslation

    source = factory.SubFactory(DisclaimerFactory)
    title = "Sobre esta información"
    body = "Información general, no un consejo médico. Hable con **su médico**."


class ConditionTranslationFactory(TextTranslationFactory):
    class Meta:
        model = ConditionTranslation

    source = factory.SubFactory(ConditionFactory)
    name = factory.Sequence(lambda n: f"Afección {n}")
    description = "Una descripción sencilla."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


def make_editor(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(editors_group())
    return user
