"""The read-only API for clinics (/api/v1/): published pages, authors, specialties, lookup by code.

What each view can answer is stated in its schema (contract.py, schema.py), and checked by fuzzing
the live site against it (tests/api/test_contract.py)."""

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponsePermanentRedirect
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from procedures.http.policies import language_asked_for
from procedures.models import (
    Author,
    CodeSystem,
    ConditionCode,
    Procedure,
    ProcedureCode,
    Specialty,
)
from procedures.publishing.addresses import Gone, Moved, find_procedure
from procedures.text.languages import language_tag

from . import contract
from .contract import CODE, SLUG, SLUG_CHARACTERS, SYSTEM, answers, bad_parameters, documented, error, matches
from .serializers import (
    AuthorSerializer,
    CodeLookupSerializer,
    ProcedureDetailSerializer,
    ProcedureSummarySerializer,
    SpecialtySerializer,
    api_address,
    translations_in,
    with_translations,
)

PAGE_PARAMETERS = bad_parameters(
    "Bad Request: ?page= or ?page_size= is not a whole number from 1 (or ?specialty= is not a specialty).",
    {"page": "Give a whole number from 1, e.g. ?page=2."},
)
PAGE_BEYOND_THE_LAST = error("Not Found: ?page= is beyond the last page (or ?format= is not json).", "Invalid page.")


class InLanguage:
    """Views answering in the language asked for (?lang=, else Accept-Language): they say which,
    and that the answer varies with Accept-Language (the page cache keys them by it too)."""

    answers_in_language = True  # schema.ContractSchema documents ?lang= and the headers

    @property
    def language(self):
        return language_asked_for(self.request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept-Language"])
        response["Content-Language"] = language_tag(language_asked_for(request))
        return response


class BySlug:
    """Views that find one thing by its slug. An address whose slug cannot be one (a dot, a NUL
    character, which PostgreSQL would refuse) is not theirs: NoSuchAddress answers it."""

    lookup_field = "slug"
    lookup_value_regex = SLUG_CHARACTERS

    @classmethod
    def get_extra_actions(cls):
        """None (no @action): said outright, as DRF's router would look for them by reading every
        attribute, `schema` too, which loads drf-spectacular's generator (contract.documented)."""
        return []


@documented(extend_schema(tags=["procedures"]))
@documented(
    extend_schema_view(
        list=extend_schema(responses=answers(ProcedureSummarySerializer, PAGE_BEYOND_THE_LAST, PAGE_PARAMETERS)),
        retrieve=extend_schema(
            parameters=[contract.slug_in_path("The page's slug, as in its address /procedures/<slug>/.", "mesotherapy")],
            responses=answers(
                ProcedureDetailSerializer,
                error("Not Found: no published page has (or had) this address.", "No such page."),
                more={
                    301: OpenApiResponse(None, "Moved Permanently: the page was renamed. Location gives its current address."),
                    410: error("Gone: the page was withdrawn or deleted.", "“Mesotherapy” was withdrawn or removed."),
                },
            ),
        ),
    )
)
class ProcedureViewSet(InLanguage, BySlug, viewsets.ReadOnlyModelViewSet):
    """Published procedure pages, A to Z (by their English titles). Drafts are never listed. Each
    record is in the language asked for where the page has a published translation into it."""

    filters_by_specialty = True  # ?specialty= (schema.ContractSchema documents it)

    def get_queryset(self):
        if self.action == "retrieve":  # find_procedure() sees to drafts, former and withdrawn addresses
            return Procedure.objects.for_page().prefetch_related(
                "specialties", "conditions__codes", "body_areas", "codes", "references", "changes"
            )
        procedures = Procedure.objects.published().prefetch_related("specialties")
        specialty = self.request.query_params.get("specialty")
        if specialty is not None:
            if not matches(SLUG, specialty) or not Specialty.objects.filter(slug=specialty).exists():
                raise ValidationError({"specialty": f"No specialty {specialty!r}. See /api/v1/specialties/."})
            procedures = procedures.filter(specialties__slug=specialty)
        return with_translations(procedures, self.language)

    def get_serializer_class(self):
        return ProcedureDetailSerializer if self.action == "retrieve" else ProcedureSummarySerializer

    def retrieve(self, request, slug=None):
        """One page, with its sections as HTML and Markdown. A former address answers 301 to the
        current one; a withdrawn or deleted page answers 410."""
        try:
            procedure = find_procedure(request, slug, self.get_queryset(), staff_preview=False)
        except Moved as moved:
            return HttpResponsePermanentRedirect(api_address(request, "api:procedure-detail", moved.procedure.slug))
        except Gone as gone:
            return Response({"detail": f"“{gone.title}” was withdrawn or removed."}, status=status.HTTP_410_GONE)
        if self.language != settings.LANGUAGE_CODE:
            procedure.translations_asked_for = list(translations_in(self.language).filter(procedure=procedure))
        return Response(self.get_serializer(procedure).data)


@documented(extend_schema(tags=["authors"]))
@documented(
    extend_schema_view(
        list=extend_schema(responses=answers(AuthorSerializer, PAGE_BEYOND_THE_LAST, PAGE_PARAMETERS)),
        retrieve=extend_schema(
            parameters=[contract.slug_in_path("The author's slug, as in their address /authors/<slug>/.", "anand-lakhkar")],
            responses=answers(
                AuthorSerializer, error("Not Found: no author has this slug.", "No Author matches the given query.")
            ),
        ),
    )
)
class AuthorViewSet(BySlug, viewsets.ReadOnlyModelViewSet):
    """The people who write and medically review pages."""

    queryset = Author.objects.all()
    serializer_class = AuthorSerializer


@documented(extend_schema(tags=["specialties"]))
@documented(
    extend_schema_view(
        list=extend_schema(responses=answers(SpecialtySerializer, PAGE_BEYOND_THE_LAST, PAGE_PARAMETERS)),
        retrieve=extend_schema(
            parameters=[contract.slug_in_path("The specialty's slug, as in its address /specialties/<slug>/.", "dermatology")],
            responses=answers(
                SpecialtySerializer, error("Not Found: no specialty has this slug.", "No Specialty matches the given query.")
            ),
        ),
    )
)
class SpecialtyViewSet(BySlug, viewsets.ReadOnlyModelViewSet):
    queryset = Specialty.objects.all()
    serializer_class = SpecialtySerializer


CODE_PARAMETERS = (("code", "mainSearchCriteria.v.c"), ("system", "mainSearchCriteria.v.cs"))


@documented(extend_schema(tags=["lookup"]))
class CodeLookupView(InLanguage, APIView):
    """Which published pages fit a code from a patient's record (a condition's code, or a procedure's).

    Plain (`?code=L64.9&system=ICD-10-CM`) or HL7 Infobutton style
    (`?mainSearchCriteria.v.c=L64.9&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90`). A code matches
    codes it starts with or that start with it, so L64.9 finds pages about L64, and L64 finds L64.9.
    """

    @documented(
        extend_schema(
            parameters=[contract.CODE_LOOKUP],
            responses=answers(
                CodeLookupSerializer,
                error("Not Found: ?format= is not json.", "Not found."),
                bad_parameters(
                    "Bad Request: no code was given, or a parameter is not valid.",
                    {"code": "Give a code, e.g. ?code=L64.9&system=ICD-10-CM (or mainSearchCriteria.v.c)."},
                ),
            ),
            examples=[
                OpenApiExample(
                    "Found",
                    value={"code": "L64.9", "system": "ICD-10-CM", "results": []},
                    response_only=True,
                    status_codes=["200"],
                )
            ],
        )
    )
    def get(self, request):
        params = request.query_params
        for name in CODE_PARAMETERS[0]:
            if name in params and not matches(CODE, params[name]):
                raise ValidationError({name: "That is not a code: codes are letters, digits and dots, e.g. L64.9."})
        for name in CODE_PARAMETERS[1]:
            if name in params and not matches(SYSTEM, params[name]):
                known = ", ".join(f"{s.label} ({s.value})" for s in CodeSystem)
                raise ValidationError({name: f"Unknown coding system {params[name]!r}. Known: {known}."})
        code, system_given = (next((params[name] for name in names if name in params), None) for names in CODE_PARAMETERS)
        if code is None:
            raise ValidationError({"code": "Give a code, e.g. ?code=L64.9&system=ICD-10-CM (or mainSearchCriteria.v.c)."})
        code = code.strip().upper()
        system = CodeSystem.from_name(system_given) if system_given is not None else None

        answer = {"code": code, "system": system, "results": with_translations(matching_procedures(code, system), self.language)}
        return Response(CodeLookupSerializer(answer, context={"request": request}).data)


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


@documented(extend_schema(exclude=True))
class NoSuchAddress(APIView):
    """Any other address under /api/v1/: a 404 in JSON like the API's own, not the site's HTML
    page (a slug with a dot or a slash in it ends up here)."""

    def get(self, request, *args, **kwargs):
        raise NotFound("No such address in the API: see /api/v1/schema/.")

    http_method_not_allowed = get


@csrf_exempt  # as every API view: read only, no session
def schema_document(request, *args, **kwargs):
    """The OpenAPI document: drf-spectacular's view, loaded with the first request for it."""
    from drf_spectacular.views import SpectacularAPIView  # noqa: PLC0415 (see contract.documented)

    return SpectacularAPIView.as_view()(request, *args, **kwargs)
