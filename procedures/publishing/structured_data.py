"""schema.org JSON-LD for search engines and other machines reading our pages.

Addresses are made absolute with the site's own address as each request reaches it
(`absolute(path)`); for a stored page they stay paths until then (see `absolutize`).
"""

from django.conf import settings
from django.utils import translation
from django.utils.html import strip_tags

from procedures.models import TranslatedPage
from procedures.text.languages import language_tag

ADDRESS_KEYS = {"url", "mainEntityOfPage", "item"}


def publisher(absolute):
    return {"@type": "Organization", "name": "mesocare", "url": absolute("/")}


def person(author, absolute):
    data = {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
    if author.credentials:
        data["honorificSuffix"] = author.credentials
    if author.role:
        data["jobTitle"] = author.role
    return data


def author_page(author, absolute):
    return {"@context": "https://schema.org", **person(author, absolute), "description": plain(author.bio_html)}


def procedure_page(procedure, absolute=str):
    url = absolute(procedure.get_absolute_url())
    about = {
        "@type": "MedicalProcedure",
        "name": procedure.title,
        "description": procedure.summary,
        "howPerformed": plain(procedure.how_it_is_done_html),
        "preparation": plain(procedure.preparation_html),
        "followup": plain(procedure.recovery_html),
    }
    if procedure.procedure_type:
        about["procedureType"] = f"https://schema.org/{procedure.procedure_type}"
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": procedure.title,
        "description": procedure.summary,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": language_tag(translation.get_language()),  # rendered in the page's text language
        "datePublished": iso(procedure.first_published),
        "dateModified": iso(procedure.last_updated),
        "lastReviewed": iso(procedure.last_reviewed),
        "author": person(procedure.author, absolute),
        "publisher": publisher(absolute),
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "specialty": [{"@type": "MedicalSpecialty", "name": specialty.name} for specialty in procedure.specialties.all()],
        "about": {key: value for key, value in about.items() if value},
    }
    if procedure.reviewer:
        page["reviewedBy"] = person(procedure.reviewer, absolute)  # a translation's: who checked these words
    if isinstance(procedure, TranslatedPage):
        page["translator"] = person(procedure.translation.translated_by, absolute)
        page["translationOfWork"] = original(procedure, absolute)
    return {key: value for key, value in page.items() if value}


def original(translated, absolute):
    """The English page a translation was made from."""
    with translation.override(settings.LANGUAGE_CODE):
        url = absolute(translated.get_absolute_url())
    return {"@type": "MedicalWebPage", "url": url, "inLanguage": language_tag(settings.LANGUAGE_CODE)}


def absolutize(data, absolute):
    """The same data with every address (kept as a path when stored) made absolute."""
    if isinstance(data, dict):
        return {
            key: absolute(value)
            if key in ADDRESS_KEYS and isinstance(value, str) and value.startswith("/")
            else absolutize(value, absolute)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [absolutize(item, absolute) for item in data]
    return data


def address(value, absolute):
    return absolute(value) if isinstance(value, str) and value.startswith("/") else value


def iso(date):
    return date.isoformat() if date else None


def plain(html):
    return " ".join(strip_tags(html or "").split())
