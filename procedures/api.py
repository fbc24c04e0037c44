"""The read-only API for clinics (/api/v1/): published pages, authors, specialties, lookup by code."""

import re

from django.core.cache import cache
from django.db.models import Max, Q
from django.http import HttpResponsePermanentRedirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from .addresses import Gone, Moved, find_procedure
from .models import (
    Author,
    BodyArea,
    ChangeNote,
    CodeSystem,
    Condition,
    ConditionCode,
    Disclaimer,
    Procedure,
    ProcedureCode,
    Reference,
    RelatedLink,
    Specialty,
    content_version,
)

CONTENT_MODELS = (Procedure, Author, Specialty, Condition, BodyArea, Disclaimer, Reference, RelatedLink, ChangeNote)


def absolute(request, path):
    return request.build_absolute_uri(path)


# Serializers ----------------------------------------------------------------------------


class CodeSerializer(serializers.Serializer):
    system = serializers.CharField(help_text="The coding system's OID, e.g. 2.16.840.1.113883.6.90.")
    system_name = serializers.CharField(source="get_system_display", help_text="e.g. ICD-10-CM")
    code = serializers.CharField()


class SpecialtySerializer(serializers.ModelSerializer):
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Specialty
        fields = ["slug", "name", "description", "api_url"]

    def get_api_url(self, specialty) -> str:
        return absolute(self.context["request"], reverse("api:specialty-detail", args=[specialty.slug]))


class AuthorSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The author's page on mesocare.")
    api_url = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()
    bio_html = serializers.CharField(help_text="Sanitised HTML.")
    disclosure = serializers.CharField(help_text="Conflicts of interest, in the author's words.")

    class Meta:
        model = Author
        fields = ["slug", "name", "credentials", "role", "url", "api_url", "photo_url", "photo_alt", "bio_html", "disclosure"]

    def get_url(self, author) -> str:
        return absolute(self.context["request"], author.get_absolute_url())

    def get_api_url(self, author) -> str:
        return absolute(self.context["request"], reverse("api:author-detail", args=[author.slug]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_photo_url(self, author):
        return absolute(self.context["request"], author.photo.url) if author.photo else None


class PersonSerializer(AuthorSerializer):
    class Meta(AuthorSerializer.Meta):
        fields = ["slug", "name", "credentials", "role", "url", "api_url"]


class ConditionSerializer(serializers.ModelSerializer):
    codes = CodeSerializer(many=True)

    class Meta:
        model = Condition
        fields = ["slug", "name", "also_known_as", "codes"]


class ProcedureSummarySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The page's permanent address on mesocare.")
    api_url = serializers.SerializerMethodField()
    specialties = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Procedure
        fields = ["slug", "title", "summary", "url", "api_url", "last_updated", "last_reviewed", "specialties"]

    def get_url(self, procedure) -> str:
        return absolute(self.context["request"], procedure.get_absolute_url())

    def get_api_url(self, procedure) -> str:
        return absolute(self.context["request"], reverse("api:procedure-detail", args=[procedure.slug]))


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="what_it_is, who_it_is_for, preparation, how_it_is_done, risks or recovery")
    title = serializers.CharField()
    anchor = serializers.CharField(help_text="Link to the section as <page url>#<anchor>.")
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
    review_state = serializers.CharField(help_text="up-to-date, due-soon, overdue or not-reviewed")
    specialties = SpecialtySerializer(many=True)
    conditions = ConditionSerializer(many=True, help_text="What the procedure treats, with their codes.")
    body_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    codes = CodeSerializer(many=True)
    references = serializers.SerializerMethodField()
    changes = inline_serializer("Change", {"date": serializers.DateField(), "note": serializers.CharField()}, many=True)
    disclaimer = serializers.SerializerMethodField()
    attribution = serializers.SerializerMethodField(help_text="Show this with anything you reuse from the page.")

    class Meta(ProcedureSummarySerializer.Meta):
        fields = [
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
            {"key": s.field, "title": s.title, "anchor": s.anchor, "html": s.html, "markdown": getattr(procedure, s.field)}
            for s in procedure.sections()
        ]

    @extend_schema_field(ReferenceSerializer(many=True))
    def get_references(self, procedure):
        return [
            {"number": number, "title": r.title, "publisher": r.publisher, "year": r.year, "url": r.url, "doi": r.doi}
            for number, r in enumerate(procedure.references.all(), start=1)
        ]

    @extend_schema_field(inline_serializer("Disclaimer", {"title": serializers.CharField(), "html": serializers.CharField()}))
    def get_disclaimer(self, procedure):
        disclaimer = procedure.disclaimer_to_show()
        return {"title": disclaimer.title, "html": disclaimer.body_html} if disclaimer else None

    def get_attribution(self, procedure) -> str:
        return attribution(procedure, self.get_url(procedure))


def attribution(procedure, url):
    reviewed = ""
    if procedure.reviewer and procedure.last_reviewed:
        reviewed = f", medically reviewed by {procedure.reviewer.name} on {date_format(procedure.last_reviewed, 'j F Y')}"
    return f"“{procedure.title}”, by {procedure.author.name}{reviewed}. From mesocare: {url}"


# Views -----------------------------------------------------------------------------------


class LastModifiedMixin:
    """Sets Last-Modified, so clients can ask "has it changed?" (If-Modified-Since → 304).
    ETag and If-None-Match are handled for every page by ConditionalGetMiddleware.

    An answer shows more than one kind of content (a page names its author, specialties,
    conditions …), so it is as new as the latest save of any content."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200 and (modified := last_content_change()):
            response["Last-Modified"] = http_date(modified.timestamp())
        return response


def last_content_change():
    def latest():
        saves = [model.objects.aggregate(latest=Max("modified_at"))["latest"] for model in CONTENT_MODELS]
        return max(filter(None, saves), default=None)

    return cache.get_or_set(f"last-content-change:{content_version()}", latest, timeout=None)


@extend_schema(tags=["procedures"])
class ProcedureViewSet(LastModifiedMixin, viewsets.ReadOnlyModelViewSet):
    """Published procedure pages, A to Z. Drafts are never listed."""

    lookup_field = "slug"

    def get_queryset(self):
        if self.action == "retrieve":  # find_procedure() sees to drafts, former and withdrawn addresses
            return Procedure.objects.for_page().prefetch_related(
                "specialties", "conditions__codes", "body_areas", "codes", "references", "changes"
            )
        procedures = Procedure.objects.published().prefetch_related("specialties")
        specialty = self.request.query_params.get("specialty")
        if specialty:
            if not Specialty.objects.filter(slug=specialty).exists():
                raise ValidationError({"specialty": f"No specialty {specialty!r}. See /api/v1/specialties/."})
            procedures = procedures.filter(specialties__slug=specialty)
        return procedures

    def get_serializer_class(self):
        return ProcedureDetailSerializer if self.action == "retrieve" else ProcedureSummarySerializer

    @extend_schema(parameters=[OpenApiParameter("specialty", str, description="Only procedures in this specialty (its slug).")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ProcedureDetailSerializer, 301: None, 404: None, 410: None})
    def retrieve(self, request, slug=None):
        """One page, with its sections as HTML and Markdown. A former address answers 301 to the
        current one; a withdrawn or deleted page answers 410."""
        try:
            procedure = find_procedure(request, slug, self.get_queryset(), staff_preview=False)
        except Moved as moved:
            return HttpResponsePermanentRedirect(reverse("api:procedure-detail", args=[moved.procedure.slug]))
        except Gone as gone:
            return Response({"detail": f"“{gone.title}” was withdrawn or removed."}, status=status.HTTP_410_GONE)
        return Response(self.get_serializer(procedure).data)


@extend_schema(tags=["authors"])
class AuthorViewSet(LastModifiedMixin, viewsets.ReadOnlyModelViewSet):
    """The people who write and medically review pages."""

    queryset = Author.objects.all()
    serializer_class = AuthorSerializer
    lookup_field = "slug"


@extend_schema(tags=["specialties"])
class SpecialtyViewSet(LastModifiedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Specialty.objects.all()
    serializer_class = SpecialtySerializer
    lookup_field = "slug"


CODE_PARAMETERS = [
    OpenApiParameter("code", str, description="A code, e.g. L64.9."),
    OpenApiParameter(
        "system", str, description="Its coding system, by name (ICD-10-CM, ICD-10, SNOMED-CT, CPT) or OID. Optional."
    ),
    OpenApiParameter("mainSearchCriteria.v.c", str, description="HL7 Infobutton: the code."),
    OpenApiParameter("mainSearchCriteria.v.cs", str, description="HL7 Infobutton: the code system's OID."),
]


class CodeLookupView(APIView):
    """Which published pages fit a code from a patient's record (a condition's code, or a procedure's).

    Plain (`?code=L64.9&system=ICD-10-CM`) or HL7 Infobutton style
    (`?mainSearchCriteria.v.c=L64.9&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90`). A code matches
    codes it starts with or that start with it, so L64.9 finds pages about L64, and L64 finds L64.9.
    """

    @extend_schema(
        tags=["lookup"],
        parameters=CODE_PARAMETERS,
        responses=inline_serializer(
            "CodeLookup",
            {
                "code": serializers.CharField(),
                "system": serializers.CharField(allow_null=True),
                "results": ProcedureSummarySerializer(many=True),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        code = (params.get("code") or params.get("mainSearchCriteria.v.c") or "").strip().upper()
        system_given = params.get("system") or params.get("mainSearchCriteria.v.cs")
        if not code:
            raise ValidationError({"code": "Give a code, e.g. ?code=L64.9&system=ICD-10-CM (or mainSearchCriteria.v.c)."})
        if len(code) > 40 or not re.fullmatch(r"[A-Z0-9][A-Z0-9.\-]*", code):
            raise ValidationError({"code": "That is not a code: codes are letters, digits and dots, e.g. L64.9."})
        system = CodeSystem.from_name(system_given) if system_given else None
        if system_given and system is None:
            known = ", ".join(f"{s.label} ({s.value})" for s in CodeSystem)
            raise ValidationError({"system": f"Unknown coding system {system_given!r}. Known: {known}."})

        pages = matching_procedures(code, system)
        results = ProcedureSummarySerializer(pages, many=True, context={"request": request}).data
        return Response({"code": code, "system": system.label if system else None, "results": results})


def matching_procedures(code, system=None):
    wanted = code.replace(".", "")

    def fits(stored):
        stored = stored.replace(".", "")
        return wanted.startswith(stored) or stored.startswith(wanted)

    condition_codes = ConditionCode.objects.filter(system=system) if system else ConditionCode.objects.all()
    procedure_codes = ProcedureCode.objects.filter(system=system) if system else ProcedureCode.objects.all()
    conditions = {row.condition_id for row in condition_codes if fits(row.code)}
    procedures = {row.procedure_id for row in procedure_codes if fits(row.code)}
    matching = Q(conditions__in=conditions) | Q(pk__in=procedures)
    return Procedure.objects.published().filter(matching).distinct().prefetch_related("specialties").order_by("title")


app_name = "api"
router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("authors", AuthorViewSet, basename="author")
router.register("specialties", SpecialtyViewSet, basename="specialty")
urlpatterns = [
    *router.urls,
    path("lookup/", CodeLookupView.as_view(), name="lookup"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
