"""Reading pages the way a patient's browser would."""

from bs4 import BeautifulSoup


def page(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(response):
    """The visible words of a page, whitespace collapsed."""
    return " ".join(page(response).get_text(" ").split())
