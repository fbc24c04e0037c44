"""What the OpenAPI document promises beyond the serializers: every answer a client can get
(with its body, headers and an example), and the exact rules for each parameter.

The rules are written once, here, and the views check requests with the same patterns, so the
document and the API cannot disagree: tests/api/test_contract.py fuzzes the live site with
schemathesis against this document.
"""

import re

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_mock_request
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from procedures.models import CodeSystem, Specialty
from procedures.models.taxonomy import squeezed
from procedures.text.languages import language_tag

from .serializers import ErrorSerializer

# Parameters -------------------------------------------------------------------------------

SLUG_CHARACTERS = r"[-a-zA-Z0-9_]+"
SLUG = rf"^{SLUG_CHARACTERS}$"

# A code as coding systems write them; spaces around it are ignored, the case does not matter.
CODE = r"^\s*[A-Za-z0-9][A-Za-z0-9.\-]{0,39}\s*$"


def system_pattern():
    """A coding system by its OID, or by name written any way: case, spaces and punctuation do
    not matter (ICD-10-CM, icd10cm, SNOMED CT, snomed-ct), as CodeSystem.from_name() reads them.
    Only ASCII punctuation counts as punctuation, so that every value the pattern allows is a
    system from_name() knows, and no other."""
    gap = r"[\s!-/:-@\[-\x60{-~]*"  # whitespace and ASCII punctuation
    names = set()
    for system in CodeSystem:
        names |= {squeezed(system.label), squeezed(system.label.split(" (")[0]), squeezed(system.name)}
    spelled = [
        gap.join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in name) for name in sorted(names, key=lambda n: (-len(n), n))
    ]
    oids = [re.escape(system.value) for system in CodeSystem]
    return rf"^(?:\s*(?:{'|'.join(oids)})\s*|{gap}(?:{'|'.join(spelled)}){gap})$"


SYSTEM = system_pattern()
SYSTEM_NAMES = "ICD-10-CM, ICD-10, SNOMED CT or CPT"


def matches(pattern, value):
    """Whether a parameter fits its pattern exactly as OpenAPI tools read it (a search: the
    pattern carries its own ^ and $)."""
    return re.search(pattern, value) is not None


def slug_in_path(description, example):
    return OpenApiParameter(
        "slug",
        {"type": "string", "pattern": SLUG},
        OpenApiParameter.PATH,
        description=description,
        examples=[OpenApiExample(example, value=example)],
    )


CODE_LOOKUP = OpenApiParameter(
    "lookup",
    {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": CODE, "description": "A code, e.g. L64.9."},
            "system": {
                "type": "string",
                "pattern": SYSTEM,
                "description": f"Its coding system: {SYSTEM_NAMES} (written any way) or the system's OID. "
                "Without one, codes of every system are searched.",
            },
            "mainSearchCriteria.v.c": {"type": "string", "pattern": CODE, "description": "HL7 Infobutton: the code."},
            "mainSearchCriteria.v.cs": {
                "type": "string",
                "pattern": SYSTEM,
                "description": "HL7 Infobutton: the code system's OID (or name, as for `system`).",
            },
        },
        # One of the two ways of giving the code is needed; anything else in the query (other
        # Infobutton parameters) is ignored.
        "anyOf": [{"required": ["code"]}, {"required": ["mainSearchCriteria.v.c"]}],
    },
    style="form",
    explode=True,
    required=True,
    description="The code to look up, as plain parameters (`?code=L64.9&system=ICD-10-CM`) or HL7 Infobutton's "
    "(`?mainSearchCriteria.v.c=L64.9&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90`). One of `code` and "
    "`mainSearchCriteria.v.c` is required; given both, `code` is used (and `system` before "
    "`mainSearchCriteria.v.cs`). Every parameter given must be valid, even the one not used.",
    examples=[
        OpenApiExample("Plain", value={"code": "L64.9", "system": "ICD-10-CM"}),
        OpenApiExample(
            "HL7 Infobutton", value={"mainSearchCriteria.v.c": "L64.9", "mainSearchCriteria.v.cs": CodeSystem.ICD10CM.value}
        ),
    ],
)


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


# Answers ----------------------------------------------------------------------------------

ANSWER_HEADERS = [
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="The answer's version: send it back as If-None-Match to get 304 while it is current.",
    ),
    OpenApiParameter(
        "Last-Modified",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="When what the answer shows last changed (an HTTP date), for If-Modified-Since.",
    ),
    OpenApiParameter(
        "Retry-After",
        {"type": "integer", "minimum": 0},
        OpenApiParameter.HEADER,
        response=[429, 503],
        required=True,
        description="Seconds to wait before asking again.",
    ),
    OpenApiParameter(
        "Location",
        {"type": "string", "format": "uri-reference"},
        OpenApiParameter.HEADER,
        response=[301],
        required=True,
        description="The page's current API address.",
    ),
]


def error(description, example):
    return OpenApiResponse(ErrorSerializer, description, examples=[OpenApiExample("Example", value={"detail": example})])


def bad_parameters(description, example):
    body = {
        "type": "object",
        "description": "Each parameter at fault, with what to fix.",
        "additionalProperties": {"type": "string"},
        "minProperties": 1,
    }
    return OpenApiResponse(body, description, examples=[OpenApiExample("Example", value=example)])


NOT_MODIFIED = OpenApiResponse(None, "Not Modified: the copy you have (If-None-Match / If-Modified-Since) is current. No body.")
NOT_ACCEPTABLE = error("Not Acceptable: the Accept header allows no JSON.", "Could not satisfy the request Accept header.")
TOO_MANY_REQUESTS = error(
    "Too Many Requests: more than API_RATE_LIMIT requests a minute (100 unless the site says otherwise) "
    "from your address. Wait Retry-After seconds.",
    "Request was throttled. Expected available in 42 seconds.",
)
UNAVAILABLE = OpenApiResponse(
    {"type": "string"},
    "Service Unavailable: the database is down for a moment. A short HTML page; wait Retry-After seconds.",
)


def answers(ok, not_found, bad_request=None, more=None):
    """Every answer of a GET: `ok` (200), 304, `not_found` (404), `bad_request` (400) if it has
    one, 406, 429 and 503, and `more` ({301: ..., 410: ...})."""
    responses = {
        200: OpenApiResponse(ok, "OK"),
        304: NOT_MODIFIED,
        404: not_found,
        406: NOT_ACCEPTABLE,
        429: TOO_MANY_REQUESTS,
        (503, "text/html"): UNAVAILABLE,
        **(more or {}),
    }
    if bad_request is not None:
        responses[400] = bad_request
    return responses
