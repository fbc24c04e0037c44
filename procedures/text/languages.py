"""Languages as pages name them: the language tag of <html lang> and the direction of its script."""

from django.utils.translation import get_language_info


def language_tag(code):
    """A Django language code as a BCP 47 tag: en-gb → en-GB (HTML's lang ignores case; people do not)."""
    language, _, region = code.partition("-")
    return f"{language}-{region.upper() if len(region) == 2 else region.title()}" if region else language


def direction(code):
    return "rtl" if get_language_info(code)["bidi"] else "ltr"


def language(code):
    """What a page says of a language: its tag, its direction, and its name in the language
    of the page that names it (lazily: "English", "inglés", "الإنجليزية")."""
    return {
        "tag": language_tag(code),
        "direction": direction(code),
        "name": get_language_info(code.split("-")[0])["name_translated"],
    }
