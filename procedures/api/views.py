"""The read-only API for clinics (/api/v1/): published pages, authors, specialties, lookup by code."""

import re

from django.db.models import Q
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from procedures.models import (
    Author,
    CodeSystem,
    ConditionCode,
    Procedure,
    ProcedureCode,
    Specialty,
)
from procedures.publishing.addresses import Gone, Moved, find_procedure

from .serializers import AuthorSerializer, ProcedureDetailSerializer, ProcedureSummarySerializer, SpecialtySerializer


@extend_schema(tags=["procedures"])
class ProcedureViewSet(viewsets.ReadOnlyModelViewSet):
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
class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    """The people who write and medically review pages."""

    queryset = Author.objects.all()
    serializer_class = AuthorSerializer
    lookup_field = "slug"


@extend_schema(tags=["specialties"])
class SpecialtyViewSet(viewsets.ReadOnlyModelViewSet):
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
