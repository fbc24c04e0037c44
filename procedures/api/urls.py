from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from .views import AuthorViewSet, CodeLookupView, NoSuchAddress, ProcedureViewSet, SpecialtyViewSet, schema_document

app_name = "api"
router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("authors", AuthorViewSet, basename="author")
router.register("specialties", SpecialtyViewSet, basename="specialty")
urlpatterns = [
    *router.urls,
    path("lookup/", CodeLookupView.as_view(), name="lookup"),
    path("schema/", schema_document, name="schema"),
    # Last: whatever else ends in a slash (addresses without one are first redirected to it).
    re_path(r"^(?:[\s\S]*/)?$", NoSuchAddress.as_view(), name="no-such-address"),
]
