"""Editor Markdown to safe HTML: the one way editor text reaches a page.

Public pages, author bios, disclaimers and the editor's live preview all use
`render_markdown`, so what an editor previews is what a patient gets.

Beyond plain Markdown, editors can write:
- `[^3]` to cite the page's third reference (a link to it in the numbered list);
- glossary terms, which are linked to their plain-words definition on first use
  when a `Glossary` is passed in (procedure pages and their preview).

Pictures come from this site only (uploads under MEDIA_URL, static files): a page that
promises to track no one loads nothing from anywhere else. An outside picture is a form
error; one that reaches the renderer anyway (old text, a content file) is left out.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape

CITATION = r"\[\^(\d{1,3})\]"

# Text is rendered when it is saved, previewed or re-rendered in the background, never while a
# page is served: Python-Markdown (markdown_extensions.py) and nh3, about 2 MiB, are loaded
# with the first text rendered, not by every web worker.
RENDERING_ONLY = ("markdown", "nh3")


class Glossary:
    """Glossary terms to link on first use; one instance follows a whole page."""

    def __init__(self, terms):
        # terms: (slug, [words that mean it]) pairs
        self.slug_for = {word.lower(): slug for slug, words in terms for word in words if word.strip()}
        words = sorted(self.slug_for, key=len, reverse=True)
        self.pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE) if words else None
        self.used = []  # slugs, in order of first use

    def link_first_uses(self, parent):
        if self.pattern is None or parent.tag in {"a", "code", "pre", "h2", "h3", "h4", "h5", "h6", "sup", "abbr"}:
            return
        children = list(parent)
        parent.text, links = self._linked(parent.text, parent)
        for index, link in enumerate(links):
            parent.insert(index, link)
        for child in children:
            self.link_first_uses(child)
            child.tail, links = self._linked(child.tail, parent)
            position = list(parent).index(child)
            for offset, link in enumerate(links, start=1):
                parent.insert(position + offset, link)

    def _linked(self, text, parent):
        """Split text at each first use of a term: (text before, [links, each carrying the text after])."""
        head, links, rest = text, [], text or ""
        while match := self._first_unseen(rest):
            self.used.append(self.slug_for[match.group(1).lower()])
            link = parent.makeelement("a", {"href": f"#term-{self.used[-1]}", "class": "glossary-term"})
            link.text = match.group(1)
            if links:
                links[-1].tail = rest[: match.start()]
            else:
                head = rest[: match.start()]
            links.append(link)
            rest = rest[match.end() :]
        if links:
            links[-1].tail = rest
        return head, links

    def _first_unseen(self, text):
        for match in self.pattern.finditer(text):
            if self.slug_for[match.group(1).lower()] not in self.used:
                return match
        return None


ALLOWED_TAGS = {
    "p", "br", "hr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "strong", "em", "b", "i", "sup", "sub", "abbr", "code", "pre", "blockquote", "span",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
    "a", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"style", "scope"},
    "td": {"style"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {"a": {"glossary-term"}, "sup": {"citation"}, "span": {"visually-hidden"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


# Limits that keep rendering quick whatever is typed (Markdown's link syntax costs time in
# proportion to the square of the number of "[" in a text).
MAX_CHARACTERS = 20_000
MAX_SQUARE_BRACKETS = 500


def markdown_problem(text):
    """Why this text cannot be used as it is, in words an editor can act on; or None."""
    text = text or ""
    if len(text) > MAX_CHARACTERS:
        return f"This text is {len(text):,} characters long; the most one box takes is {MAX_CHARACTERS:,}. Split it up."
    if text.count("[") > MAX_SQUARE_BRACKETS:
        return (
            f"This text has more than {MAX_SQUARE_BRACKETS} square brackets “[”. "
            "Links and citations need one each; remove the rest."
        )
    refused_pictures = []
    try:
        render_markdown(text, strict=True, refused_pictures=refused_pictures)
    except RecursionError:
        return "This text is nested too deeply to show (for example, very many list markers or quote marks on one line)."
    if refused_pictures:
        return outside_picture_problem(refused_pictures[0])
    return None


def outside_picture_problem(address):
    shown = address if len(address) <= 80 else f"{address[:77]}…"
    which = f"The picture “{shown}” is" if shown else "A picture in this text is"
    return (
        f"{which} not one uploaded to this site. Pages show only pictures uploaded here (nothing is "
        "loaded from other websites): save the picture, upload it with “Add a picture” or by dragging "
        "it onto the text box, and remove the outside address."
    )


def validate_markdown(text):
    if problem := markdown_problem(text):
        raise ValidationError(problem)


def render_markdown(
    text: str, glossary: Glossary | None = None, top_heading: int = 3, strict=False, refused_pictures=None
) -> str:
    """Turn editor Markdown into HTML that is safe to put on a public page.

    `top_heading` is the highest heading level the text may use (3 under a page's sections).
    Text too deeply nested to parse is shown as plain paragraphs (editors are told on saving).
    Pictures not from this site are left out (their addresses added to `refused_pictures`).
    """
    from .markdown_extensions import markdown_to_html  # noqa: PLC0415 (see RENDERING_ONLY)

    try:
        html = markdown_to_html(text or "", glossary, top_heading, CITATION)
    except RecursionError:
        if strict:
            raise
        html = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in (text or "").split("\n\n") if paragraph.strip())
    return sanitise_html(html, top_heading, refused_pictures)


def is_our_picture(address):
    """An uploaded picture (under MEDIA_URL, which may be another host: object storage) or one of
    the site's static files, addressed as the site addresses them."""
    for prefix in (settings.MEDIA_URL, settings.STATIC_URL):  # each ends in "/": what follows is a path there
        if prefix and address.startswith(prefix):
            path = address[len(prefix) :]
            return bool(path) and ".." not in path.split("/")
    return False


def addresses_filter(refused_pictures):
    def keep(element, attribute, value):
        if attribute in {"href", "src"} and "\\" in value:
            return None  # browsers read "/\\evil.example" as an address on another site
        if element == "img" and attribute == "src" and not is_our_picture(value):
            refused_pictures.append(value)
            return None
        return value

    return keep


PICTURE_LEFT_WITHOUT_ADDRESS = re.compile(r"<img\b(?![^>]*\ssrc=)[^>]*>")


def sanitise_html(html: str, top_heading: int = 3, refused_pictures=None) -> str:
    import nh3  # noqa: PLC0415 (see RENDERING_ONLY)

    refused_here = []
    safe = nh3.clean(
        html,
        attribute_filter=addresses_filter(refused_here),
        tags=ALLOWED_TAGS | {f"h{level}" for level in range(top_heading, 7)},
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    safe, left_without_address = PICTURE_LEFT_WITHOUT_ADDRESS.subn("", safe)  # not even the picture's frame
    if refused_pictures is not None:
        # Addresses of a kind never allowed (data:, javascript:) are dropped before the filter sees them.
        refused_pictures += refused_here + [""] * (left_without_address - len(refused_here))
    return safe


def cited_numbers(text: str) -> set[int]:
    """The reference numbers a piece of Markdown cites with [^N]."""
    return {int(number) for number in re.findall(CITATION, text or "")}
