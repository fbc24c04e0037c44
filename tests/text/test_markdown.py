"""Editor Markdown reaches patients only through the sanitiser: on pages and in the preview."""

import pytest
from bs4 import BeautifulSoup

from procedures.text.markdown import render_markdown
from tests.factories import AuthorFactory, DisclaimerFactory, ProcedureFactory
from tests.html import page

HOSTILE_MARKDOWN = [
    "<script>alert('x')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name="password"><button>Go</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">hi</p>',
    '<a href="https://ok.example" onmouseover="alert(1)">ok</a>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<details open ontoggle="alert(1)">x</details>',
    "<!-- <script>alert(1)</script> -->",
    '<div><a href="vbscript:msgbox(1)">x</a></div>',
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<a href="https://ok.example" target="_blank">new window</a>',
    "`<script>` in code is fine\n\n    <script>alert(1)</script>",
    "<textarea><script>alert(1)</script></textarea>",
    '<table><tr><td background="javascript:alert(1)">x</td></tr></table>',
]


def assert_harmless(fragment):
    """No element, attribute or address that can run script or leave the page."""
    for element in fragment.find_all(True):
        assert element.name not in {"script", "style", "iframe", "form", "input", "button", "object", "embed", "svg",
                                    "math", "meta", "base", "link", "textarea", "details"}, element  # fmt: skip
        for attribute, value in element.attrs.items():
            assert not attribute.startswith("on"), element
            assert attribute not in {"style", "target", "background"} or element.name in {"th", "td"} and attribute == "style"
            if attribute in {"href", "src"}:
                address = value.strip().lower()
                assert address.startswith(("http://", "https://", "mailto:", "/", "#")) or ":" not in address, element


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_hostile_markdown_is_made_harmless_by_the_renderer(markdown):
    assert_harmless(BeautifulSoup(render_markdown(markdown), "html.parser"))


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_hostile_markdown_is_harmless_on_the_public_page(client, db, markdown):
    procedure = ProcedureFactory(what_it_is=markdown, risks=markdown, author=AuthorFactory(bio=markdown))
    DisclaimerFactory(is_default=True, body=markdown)
    for url in (procedure.get_absolute_url(), procedure.author.get_absolute_url(), "/disclaimer/"):
        html = page(client.get(url))
        for block in html.select("main .section:not(#share), main .disclaimer, main .prose"):
            assert_harmless(block)
        assert not html.select("main script")


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_hostile_markdown_is_harmless_in_the_editor_preview(editor_client, markdown):
    response = editor_client.post("/editor/preview/", {"content": markdown})
    # A picture from anywhere but this site is refused with a message saying to upload it.
    assert response.status_code == 200 or "not one uploaded to this site" in response.content.decode()
    assert_harmless(BeautifulSoup(response.content.decode(), "html.parser"))


def test_the_preview_is_exactly_what_patients_get(editor_client, db):
    markdown = "# Before you come\n\nBring a list of your **medicines**.\n\n| Week | Sessions |\n|---|---|\n| 1 | 1 |"
    procedure = ProcedureFactory(who_it_is_for=markdown)
    preview = page_of(editor_client.post("/editor/preview/", {"content": markdown}).content.decode())
    preview.find("p", class_="editor-readability").decompose()  # for editors only, below the preview
    section = page(editor_client.get(procedure.get_absolute_url())).find(id="who-it-is-for")
    section.h2.decompose()
    assert section.decode_contents().strip() == preview.decode().strip()


def test_editor_markdown_keeps_what_patients_need():
    html = render_markdown(
        "# Heading\n\nText with *emphasis* and **strong**.\n\n- one\n- two\n\n1. first\n\n> quoted\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n![A scalp](/media/images/a.png)\n\n"
        "[NHS](https://www.nhs.uk/) [our page](/procedures/x/) [mail](mailto:help@example.org)"
    )
    soup = page_of(html)
    assert soup.find("h3").get_text() == "Heading"  # editors' headings sit under the page's h1 and h2
    assert soup.find("em") and soup.find("strong") and soup.find("ul") and soup.find("ol") and soup.find("blockquote")
    assert soup.find("th", style="text-align:left") and soup.find("td", style="text-align:right")
    assert soup.find("img", src="/media/images/a.png", alt="A scalp")
    assert {a["href"] for a in soup.find_all("a")} == {"https://www.nhs.uk/", "/procedures/x/", "mailto:help@example.org"}


def page_of(html):
    return BeautifulSoup(html, "html.parser")
