from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/", views.procedure_index, name="index"),
    path("procedures/<slug:slug>/", views.procedure_detail, name="detail"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("disclaimer/", views.site_disclaimer, name="site-disclaimer"),
    path("disclaimers/<slug:slug>/", views.disclaimer_detail, name="disclaimer"),
    path("glossary/", views.glossary, name="glossary"),
    # Pages about the site (About our content, Privacy); keep this last.
    path("<slug:slug>/", views.site_page, name="page"),
]
