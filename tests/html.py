"""Reading pages the way a patient's browser would."""

from bs4 import BeautifulSoup


def page(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(response):
    """The visible words of a page, whitespace collapsed."""
    return " ".join(page(response).get_text(" ").split())


def form_fields(response, form_id=None):
    """What a browser would submit from the page's form, before the user changes anything."""
    html = page(response)
    form = html.find("form", id=form_id) if form_id else html.select_one("#content-main form") or html.find("form")
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("disabled") is not None:
            continue
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = [option.get("value", "") for option in field.find_all("option") if option.get("selected") is not None]
            if field.get("multiple") is not None:
                data[name] = chosen
            else:
                data[name] = chosen[0] if chosen else (field.find("option") or {}).get("value", "")
        elif field.get("type") in ("checkbox", "radio"):
            if field.get("checked") is not None:
                data.setdefault(name, []).append(field.get("value", "on"))
        elif field.get("type") not in ("submit", "button", "file", "image", "reset"):
            data[name] = field.get("value", "")
    return data


def error_messages(response):
    """The errors an admin form shows the editor."""
    return [" ".join(node.get_text(" ").split()) for node in page(response).select(".errorlist li, p.errornote")]
