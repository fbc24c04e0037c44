"""Smaller answers for clients that accept them: brotli, else gzip. Only for public answers:
never for one that carries a CSRF token or anything personal (BREACH)."""

import gzip
from functools import lru_cache

import brotli
from django.utils.cache import patch_vary_headers

# Answers kept in the cache are compressed once, as small as is quick; others as they go out,
# as cheaply as still pays (gzip at level 4: 3% larger than at 6, in 40% of the time).
KEPT = {
    "br": lambda body: brotli.compress(body, quality=5, lgwin=window_for(body)),
    "gzip": lambda body: gzip.compress(body, compresslevel=9, mtime=0),
}
ON_THE_FLY = {"gzip": lambda body: gzip.compress(body, compresslevel=4, mtime=0)}
SMALLEST_WORTH_IT = 860  # bytes: below this a compressed answer is hardly smaller
COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/atom+xml", "application/ld+json")


def window_for(body):
    """Brotli's window (2**lgwin - 16 bytes) just wide enough for the whole body: answers are
    as small as with its default 4 MiB window, and each worker's encoder takes about 1 MiB less."""
    return min(24, max(10, (len(body) + 16).bit_length()))


def accepted(request):
    """The encodings the client accepts (those with q=0 refused), best first. Browsers send a
    handful of different headers: each is read once (a flood of long made-up ones is not kept)."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    return remembered_accepted_in(header) if len(header) <= 200 else accepted_in(header)


def accepted_in(accept_encoding):
    offered = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        offered[name.strip().lower()] = quality
    everything = offered.get("*", 0.0)
    return tuple(encoding for encoding in KEPT if offered.get(encoding, everything) > 0)


remembered_accepted_in = lru_cache(maxsize=256)(accepted_in)


def worth_compressing(response):
    content_type = response.get("Content-Type", "")
    return (
        not response.streaming
        and not response.has_header("Content-Encoding")
        and len(response.content) >= SMALLEST_WORTH_IT
        and content_type.startswith(COMPRESSIBLE)
    )


def every_encoding(body):
    """A body in each encoding we offer, to keep with a cached answer."""
    if len(body) < SMALLEST_WORTH_IT:
        return {}
    return {encoding: encode(body) for encoding, encode in KEPT.items()}


def compress(request, response):
    """Compress a response in place for this client, if that is worth it."""
    choice = next((encoding for encoding in accepted(request) if encoding in ON_THE_FLY), None)
    if choice is None or not worth_compressing(response):
        return response
    response.content = ON_THE_FLY[choice](response.content)
    response["Content-Encoding"] = choice
    response["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
