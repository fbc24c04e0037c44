from django.contrib.sitemaps.views import sitemap
from django.urls import path

from procedures.http.languages import default_language_only

from . import procedure_pages, views
from .feeds import UpdatedPagesFeed
from .sitemaps import SITEMAPS, sitemap_or_index

app_name = "procedures"

# Every address here also exists under each other language's prefix (/es/…): mesocare/urls.py.

urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/", views.procedure_index, name="index"),
    path("procedures/<slug:slug>/", procedure_pages.procedure_detail, name="detail"),
    path("procedures/<slug:slug>/embed/", procedure_pages.procedure_embed, name="embed"),
    path("procedures/<slug:slug>/print/", procedure_pages.procedure_handout, name="handout"),
    # After a page's own addresses, so that a page called "letters" keeps its embed and handout.
    path("procedures/letters/<str:letter>/", views.procedures_by_letter, name="letter"),
    path("oembed/", default_language_only(procedure_pages.oembed), name="oembed"),
    path("feeds/updates/", UpdatedPagesFeed(), name="feed"),
    path("sitemap.xml", default_language_only(sitemap_or_index), name="sitemap"),
    path("sitemap-<section>.xml", default_language_only(sitemap), {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", default_language_only(views.robots_txt), name="robots"),
    path("api/", views.api_docs, name="api-docs"),
    path("search/", views.search_page, name="search"),
    path("specialties/<slug:slug>/", views.specialty_detail, name="specialty"),
    path("conditions/", views.conditions_index, name="conditions"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition"),
    path("body-areas/<slug:slug>/", views.body_area_detail, name="body-area"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("authors/<slug:slug>/pages/", views.author_procedures, name="author-pages"),
    path("authors/<slug:slug>/reviewed/", views.author_procedures, {"reviewed": True}, name="author-reviewed"),
    path("disclaimer/", views.site_disclaimer, name="site-disclaimer"),
    path("disclaimers/<slug:slug>/", views.disclaimer_detail, name="disclaimer"),
    path("glossary/", views.glossary, name="glossary"),
    # Pages about the site (About our content, Privacy); keep this last.
    path("<slug:slug>/", views.site_page, name="page"),
]
