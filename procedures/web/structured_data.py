"""schema.org JSON-LD for search engines and other machines reading our pages."""

from django.conf import settings
from django.utils.html import strip_tags

PUBLISHER = {"@type": "Organization", "name": "mesocare", "url": settings.SITE_URL + "/"}


def person(author, request):
    data = {
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }
    if author.credentials:
        data["honorificSuffix"] = author.credentials
    if author.role:
        data["jobTitle"] = author.role
    return data


def author_page(author, request):
    return {
        "@context": "https://schema.org",
        **person(author, request),
        "description": plain(author.bio_html),
    }


def procedure_page(procedure, request):
    url = request.build_absolute_uri(procedure.get_absolute_url())
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
        "inLanguage": "en-GB",
        "datePublished": iso(procedure.first_published),
        "dateModified": iso(procedure.last_updated),
        "lastReviewed": iso(procedure.last_reviewed),
        "author": person(procedure.author, request),
        "publisher": PUBLISHER,
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "specialty": [{"@type": "MedicalSpecialty", "name": specialty.name} for specialty in procedure.specialties.all()],
        "about": {key: value for key, value in about.items() if value},
    }
    if procedure.reviewer:
        page["reviewedBy"] = person(procedure.reviewer, request)
    return {key: value for key, value in page.items() if value}


def iso(date):
    return date.isoformat() if date else None


def plain(html):
    return " ".join(strip_tags(html or "").split())
