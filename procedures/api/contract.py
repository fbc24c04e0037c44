"""What the OpenAPI document promises beyond the serializers: every answer a client can get
(with its body, headers and an example), and the exact rules for each parameter.

The rules are written once, here, and the views check requests with the same patterns, so the
document and the API cannot disagree: tests/api/test_contract.py fuzzes the live site with
schemathesis against this document.
"""

import re
import threading

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from procedures.models import CodeSystem
from procedures.models.taxonomy import squeezed

from .serializers import ErrorSerializer

# Documenting the views ---------------------------------------------------------------------

# drf-spectacular's decorators (@extend_schema, @extend_schema_view) build on its schema
# generator, which loads django.test and unittest with it: about 3.5 MiB in every web worker. The
# views take them through documented(), which keeps them until a document is first built
# (schema.DocumentGenerator); a worker that never builds one never loads the generator.
KEPT_DOCUMENTATION = []
applying = threading.Lock()


def documented(decorator):
    """@documented(extend_schema(...)) on a view or a view's method: @extend_schema(...), applied
    when the document is built."""

    def keep(view):
        KEPT_DOCUMENTATION.append((view, decorator))
        return view

    return keep


def apply_documentation():
    """Apply the kept decorators, in the order the views were decorated (each changes the view
    in place), once."""
    with applying:
        while KEPT_DOCUMENTATION:
            view, decorator = KEPT_DOCUMENTATION.pop(0)
            decorator(view)


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
