"""How drf-spectacular builds the OpenAPI document (/api/v1/schema/, `check --deploy`) from the
views and contract.py. Only this module loads its generator, and django.test and unittest behind
it: a web worker loads it when it first builds the document, not at start (contract.documented).
"""

from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_mock_request
from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from procedures.models import Specialty
from procedures.text.languages import language_tag

from . import views  # noqa: F401 (once imported, the views have handed apply_documentation theirs)
from .contract import ANSWER_HEADERS, apply_documentation


class DocumentGenerator(SchemaGenerator):
    """drf-spectacular's (SPECTACULAR_SETTINGS), with the views' documentation applied first."""

    def get_schema(self, request=None, public=False):
        apply_documentation()
        return super().get_schema(request=request, public=public)


def mock_request(method, path, view, original_request, **kwargs):
    """The request drf-spectacular builds each view with (settings.SPECTACULAR_SETTINGS), marked
    with whether a client asked for the document. Only then does the document list values from
    the database: `check --deploy` builds it too, before the database may even exist."""
    request = build_mock_request(method, path, view, original_request, **kwargs)
    request.asked_by_a_client = original_request is not None
    return request


class ContractSchema(AutoSchema):
    """The API views' schema: with the headers of their answers, and the parameters whose allowed
    values live in the database (the document is built anew for each request, so they are current)."""

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), *ANSWER_HEADERS]
        if getattr(self.view, "answers_in_language", False):
            parameters = [*parameters, *language_parameters()]
        asked = getattr(self.view.request, "asked_by_a_client", False)
        if asked and getattr(self.view, "filters_by_specialty", False) and self._is_list_view():
            slugs = list(Specialty.objects.values_list("slug", flat=True))
            if slugs:  # with no specialties no value is right: nothing to document
                parameters = [
                    *parameters,
                    OpenApiParameter(
                        "specialty",
                        str,
                        enum=slugs,
                        description="Only procedures in this specialty: one of the specialties' slugs "
                        "(/api/v1/specialties/), listed here as they are now.",
                    ),
                ]
        return parameters


def language_parameters():
    """?lang=, Accept-Language and the Content-Language of the answer, naming the site's
    languages as they are set now (settings.LANGUAGES)."""
    tags = [language_tag(code) for code, _ in settings.LANGUAGES]
    known = ", ".join(f"`{tag}`" for tag in tags)
    return [
        OpenApiParameter(
            "lang",
            {"type": "string"},
            description=f"The language of the records: {known} (any case; a regional variant such as `es-MX` gives "
            f"its language). A record is in it where the page has a published, medically reviewed translation "
            f"into it, else in {tags[0]}; each record says which (`language`, `translation`). Wins over "
            f"Accept-Language. A language the site does not have gives {tags[0]}, never an error.",
            examples=[OpenApiExample(tags[-1], value=tags[-1])],
        ),
        OpenApiParameter(
            "Accept-Language",
            str,
            OpenApiParameter.HEADER,
            description="The languages you read, as browsers send them (`es, en;q=0.5`): used without ?lang=.",
        ),
        OpenApiParameter(
            "Content-Language",
            {"type": "string", "enum": tags},
            OpenApiParameter.HEADER,
            response=[200, 304],
            description="The language asked for (?lang=, Accept-Language or the default): the records are in it "
            "where a translation exists. Answers say `Vary: Accept-Language`.",
        ),
    ]
