"""What the API says about each thing, in JSON."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from procedures.http.policies import language_asked_for
from procedures.models import (
    Author,
    CodeSystem,
    Condition,
    Procedure,
    ProcedureTranslation,
    ReviewState,
    Specialty,
    TranslatedPage,
)
from procedures.text.languages import language_tag


def absolute(request, path):
    return request.build_absolute_uri(path)


def api_address(request, name, *args):
    """An API address, asking for the language this request was answered in (unless the default)."""
    address = reverse(name, args=args)
    language = language_asked_for(request)
    return address if language == settings.LANGUAGE_CODE else f"{address}?{urlencode({'lang': language})}"


# Records in the language asked for --------------------------------------------------------


def translations_in(language):
    """Published translations into a language, with the people their provenance names."""
    return ProcedureTranslation.objects.published().filter(language=language).select_related("translated_by", "reviewer")


def with_translations(procedures, language):
    """Procedures, each with its published translation into `language` at hand (one query for
    the whole list): records are in that language where there is one."""
    if language == settings.LANGUAGE_CODE:
        return procedures
    return procedures.prefetch_related(Prefetch("translations", translations_in(language), to_attr="translations_asked_for"))


def translation_asked_for(procedure):
    return next(iter(getattr(procedure, "translations_asked_for", ())), None)


# Serializers ----------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer but a 400 (whose keys are the parameters at fault)."""

    detail = serializers.CharField(help_text="What went wrong, in words.")

    class Meta:
        ref_name = "Error"


class CodeSerializer(serializers.Serializer):
    system = serializers.ChoiceField(CodeSystem.values, help_text="The coding system's OID, e.g. 2.16.840.1.113883.6.90.")
    system_name = serializers.ChoiceField(CodeSystem.labels, source="get_system_display", help_text="e.g. ICD-10-CM")
    code = serializers.CharField(help_text="As the coding system writes it, e.g. L64.9.")


class SpecialtySerializer(serializers.ModelSerializer):
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Specialty
        fields = ["slug", "name", "description", "api_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, specialty):
        return absolute(self.context["request"], reverse("api:specialty-detail", args=[specialty.slug]))


class AuthorSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The author's page on mesocare.")
    api_url = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField(help_text="null when the author has no photo.")
    bio_html = serializers.CharField(help_text="Sanitised HTML.")
    disclosure = serializers.CharField(help_text="Conflicts of interest, in the author's words.")

    class Meta:
        model = Author
        fields = ["slug", "name", "credentials", "role", "url", "api_url", "photo_url", "photo_alt", "bio_html", "disclosure"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, author):
        return absolute(self.context["request"], author.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, author):
        return absolute(self.context["request"], reverse("api:author-detail", args=[author.slug]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, author):
        return absolute(self.context["request"], author.photo.url) if author.photo else None


class PersonSerializer(AuthorSerializer):
    class Meta(AuthorSerializer.Meta):
        fields = ["slug", "name", "credentials", "role", "url", "api_url"]
        read_only_fields = fields


class ConditionSerializer(serializers.ModelSerializer):
    also_known_as = serializers.ListField(child=serializers.CharField(), help_text="Other names, e.g. alopecia.")
    codes = CodeSerializer(many=True)

    class Meta:
        model = Condition
        fields = ["slug", "name", "also_known_as", "codes"]
        read_only_fields = fields


class TranslationSerializer(serializers.Serializer):
    """Where a record's words come from when they are a translation of the English page."""

    translated_by = serializers.CharField(source="translated_by.name", help_text="Who translated it.")
    translated_from_version = serializers.IntegerField(
        source="translated_from", allow_null=True, help_text="The version of the English page it was translated from."
    )
    translated_from_date = serializers.DateField(allow_null=True, help_text="That version's date.")
    translated_at = serializers.DateField(help_text="When it was translated.")
    reviewer = serializers.CharField(source="reviewer.name", help_text="Who checked the translation medically.")
    last_reviewed = serializers.DateField(help_text="When they checked it.")
    out_of_date_since = serializers.DateTimeField(
        allow_null=True,
        help_text="null while the translation is up to date; else when the English page changed what patients read "
        "(the page then says so, with a link to the English page).",
    )
    original_url = serializers.SerializerMethodField(help_text="The English page.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_original_url(self, translated):
        with translation.override(settings.LANGUAGE_CODE):
            return absolute(self.context["request"], translated.procedure.get_absolute_url())


class InLanguage(serializers.Serializer):
    """A procedure's record in the language the request asks for (?lang=, else Accept-Language)
    where the page has a published translation into it, each medically reviewed on its own;
    otherwise in English, the language it is written and reviewed in. It says which."""

    language = serializers.SerializerMethodField(help_text="The language of the record's words, e.g. en-GB, es, ar.")
    translation = serializers.SerializerMethodField(
        help_text="Who translated the record's words, from which version of the English page, and who reviewed them; "
        "null for the English original."
    )

    def to_representation(self, procedure):
        translated = translation_asked_for(procedure)
        if translated is None:
            with translation.override(settings.LANGUAGE_CODE):
                return super().to_representation(procedure)
        with translation.override(translated.language):
            return super().to_representation(TranslatedPage(procedure, translated))

    def get_language(self, page) -> str:
        return language_tag(page.translation.language if isinstance(page, TranslatedPage) else settings.LANGUAGE_CODE)

    @extend_schema_field(TranslationSerializer(allow_null=True))
    def get_translation(self, page):
        if not isinstance(page, TranslatedPage):
            return None
        return TranslationSerializer(page.translation, context=self.context).data


class ProcedureSummarySerializer(InLanguage, serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The page's permanent address on mesocare, in the record's language.")
    api_url = serializers.SerializerMethodField()
    specialties = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "slug", "title", "summary", "language", "translation", "url", "api_url",
            "last_updated", "last_reviewed", "specialties",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, procedure):
        return absolute(self.context["request"], procedure.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, procedure):
        request = self.context["request"]
        return absolute(request, api_address(request, "api:procedure-detail", procedure.slug))


class SectionSerializer(serializers.Serializer):
    key = serializers.ChoiceField([field for field, _, _ in Procedure.SECTIONS])
    title = serializers.CharField(help_text="The section's heading in the record's language, e.g. “What it is”.")
    anchor = serializers.ChoiceField(
        [anchor for _, _, anchor in Procedure.SECTIONS], help_text="Link to the section as <page url>#<anchor>."
    )
    html = serializers.CharField(help_text="Sanitised HTML, as on the page.")
    markdown = serializers.CharField(help_text="The editor's Markdown. Render it with a sanitiser, or use `html`.")


class ReferenceSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Cited in the text as [^number].")
    title = serializers.CharField()
    publisher = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()
    doi = serializers.CharField()


class ProcedureDetailSerializer(ProcedureSummarySerializer):
    sections = serializers.SerializerMethodField()
    author = PersonSerializer()
    reviewer = PersonSerializer(allow_null=True, help_text="The medical reviewer.")
    review_state = serializers.ChoiceField(ReviewState.values)
    specialties = SpecialtySerializer(many=True)
    conditions = ConditionSerializer(many=True, help_text="What the procedure treats, with their codes.")
    body_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    codes = CodeSerializer(many=True)
    references = serializers.SerializerMethodField()
    changes = inline_serializer("Change", {"date": serializers.DateField(), "note": serializers.CharField()}, many=True)
    disclaimer = serializers.SerializerMethodField()
    attribution = serializers.SerializerMethodField(help_text="Show this with anything you reuse from the page.")

    class Meta(ProcedureSummarySerializer.Meta):
        fields = read_only_fields = [
            *ProcedureSummarySerializer.Meta.fields,
            "procedure_type",
            "first_published",
            "next_review_due",
            "review_state",
            "author",
            "reviewer",
            "sections",
            "conditions",
            "body_areas",
            "codes",
            "references",
            "changes",
            "disclaimer",
            "attribution",
        ]

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, procedure):
        return [
            {
                "key": s.field,
                "title": gettext(s.title),
                "anchor": s.anchor,
                "html": s.html,
                "markdown": getattr(procedure, s.field),
            }
            for s in procedure.sections()
        ]

    @extend_schema_field(ReferenceSerializer(many=True))
    def get_references(self, procedure):
        return [
            {"number": number, "title": r.title, "publisher": r.publisher, "year": r.year, "url": r.url, "doi": r.doi}
            for number, r in enumerate(procedure.references.all(), start=1)
        ]

    @extend_schema_field(
        inline_serializer(
            "Disclaimer",
            {"title": serializers.CharField(), "html": serializers.CharField()},
            allow_null=True,
            help_text="null only while the site has no default disclaimer.",
        )
    )
    def get_disclaimer(self, procedure):
        disclaimer = procedure.disclaimer_to_show()
        return {"title": disclaimer.title, "html": disclaimer.body_html} if disclaimer else None

    def get_attribution(self, procedure) -> str:
        return attribution(procedure, self.get_url(procedure))


def attribution(procedure, url):
    """In the record's language: a translation names its translator too."""
    line = gettext("“%(title)s”, by %(author)s") % {"title": procedure.title, "author": procedure.author.name}
    if procedure.reviewer and procedure.last_reviewed:
        line += gettext(", medically reviewed by %(reviewer)s on %(date)s") % {
            "reviewer": procedure.reviewer.name,
            "date": date_format(procedure.last_reviewed, "j F Y"),
        }
    if isinstance(procedure, TranslatedPage):
        line += gettext(", translated by %(translator)s") % {"translator": procedure.translation.translated_by.name}
    return line + gettext(". From mesocare: %(url)s") % {"url": url}


class CodeLookupSerializer(serializers.Serializer):
    """What /api/v1/lookup/ answers: the code looked up and the published pages that fit it."""

    code = serializers.CharField(help_text="The code looked up, in capitals.")
    system = serializers.SerializerMethodField(
        help_text=f"Its coding system, as `system_name` in codes ({', '.join(CodeSystem.labels)}); null when none was given."
    )
    results = ProcedureSummarySerializer(many=True)

    @extend_schema_field({"type": "string", "nullable": True})  # not an enum again: one is enough (Code.system_name)
    def get_system(self, answer):
        return answer["system"].label if answer["system"] else None
