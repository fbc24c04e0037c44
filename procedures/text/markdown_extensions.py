"""Python-Markdown with the site's extensions: headings nested under the page's own, `[^3]`
citations, and glossary terms linked on first use. Loaded with the first text rendered (on
save, in the preview, by the background worker), never by a web worker serving pages."""

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor


class SubHeadings(Treeprocessor):
    """Editors' headings nest under the page's own, keeping their order: the highest one the
    editor used becomes `top_level` (3 in a procedure's section, under the page's <h1> and the
    section's <h2>), and the others follow it down."""

    def __init__(self, md, top_level):
        super().__init__(md)
        self.top_level = top_level

    def run(self, root):
        headings = [element for element in root.iter() if re.fullmatch(r"h[1-6]", element.tag)]
        if not headings:
            return
        shift = self.top_level - min(int(heading.tag[1]) for heading in headings)
        for heading in headings:
            heading.tag = f"h{min(6, int(heading.tag[1]) + shift)}"


class Citation(InlineProcessor):
    """`[^3]` → a superscript link to reference 3 in the page's numbered list."""

    def handleMatch(self, match, data):  # noqa: N802 (Markdown's API)
        number = match.group(1)
        sup = etree.Element("sup", {"class": "citation"})
        link = etree.SubElement(sup, "a", {"href": f"#reference-{number}"})
        hidden = etree.SubElement(link, "span", {"class": "visually-hidden"})
        hidden.text = "Reference "
        hidden.tail = number
        return sup, match.start(0), match.end(0)


class GlossaryLinks(Treeprocessor):
    def __init__(self, md, glossary):
        super().__init__(md)
        self.glossary = glossary

    def run(self, root):
        self.glossary.link_first_uses(root)


class PatientMarkdown(Extension):
    def __init__(self, glossary, top_heading, citation):
        super().__init__()
        self.glossary = glossary
        self.top_heading = top_heading
        self.citation = citation  # the pattern of a citation, markdown.CITATION

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(SubHeadings(md, self.top_heading), "sub_headings", 5)
        md.inlinePatterns.register(Citation(self.citation, md), "citation", 175)
        if self.glossary is not None:
            md.treeprocessors.register(GlossaryLinks(md, self.glossary), "glossary_links", 4)


def markdown_to_html(text, glossary, top_heading, citation):
    """Markdown to HTML, not yet sanitised: markdown.render_markdown() is the one way in."""
    extensions = ["tables", "sane_lists", "smarty", PatientMarkdown(glossary, top_heading, citation)]
    return markdown.markdown(text, extensions=extensions)
