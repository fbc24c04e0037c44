import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from procedures.admin import editor

admin.site.site_header = "mesocare editors"
admin.site.site_title = "mesocare editors"
admin.site.index_title = "Patient pages"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("editor/preview/", editor.preview, name="editor-preview"),
    path("editor/upload/", editor.upload_image, name="editor-upload"),
    path("api/v1/", include("procedures.api.urls", namespace="api")),
    path("", include("procedures.web.urls")),
]


def uploaded_file(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", uploaded_file)]
