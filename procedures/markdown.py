"""Editor Markdown to safe HTML: the one way editor text reaches a page.

Public pages, author bios, disclaimers and the editor's live preview all use
`render_markdown`, so what an editor previews is what a patient gets.
"""

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


class SubHeadings(Treeprocessor):
    """On every page the title is the <h1> and the section or box title the <h2>,
    so an editor's top headings (#, ## and ###) all become <h3>."""

    def run(self, root):
        for element in root.iter():
            if element.tag in {"h1", "h2"}:
                element.tag = "h3"


class SubHeadingsExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(SubHeadings(md), "sub_headings", 5)


MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "smarty", SubHeadingsExtension()]

ALLOWED_TAGS = {
    "h3", "h4", "h5", "h6", "p", "br", "hr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "strong", "em", "b", "i", "sup", "sub", "abbr", "code", "pre", "blockquote",
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
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Turn editor Markdown into HTML that is safe to put on a public page."""
    html = markdown.markdown(
        text or "",
        extensions=MARKDOWN_EXTENSIONS,
        output_format="html",
    )
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
