import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from procedures.admin import editor, two_factor
from procedures.http import faults
from procedures.http.languages import untranslated

admin.site.site_header = "mesocare editors"
admin.site.site_title = "mesocare editors"
admin.site.index_title = "Patient pages"

# A database outage answers 503 with Retry-After; any other error, the usual 500 page.
handler500 = faults.server_error

urlpatterns = [
    # Two-factor sign-in: setting it up, and the code asked for after the password.
    path("admin/two-factor/", admin.site.admin_view(two_factor.enrol_view), name="two-factor"),
    path("admin/two-factor/code/", admin.site.admin_view(two_factor.code_view), name="two-factor-code"),
    untranslated("admin/", admin.site.urls),
    path("editor/preview/", editor.preview, name="editor-preview"),
    path("editor/upload/", editor.upload_image, name="editor-upload"),
    untranslated("api/v1/", include("procedures.api.urls", namespace="api")),
]
# Public pages in every language: the default's at the addresses without a prefix (so no link
# ever breaks), each other language's under /<code>/ (procedures/http/languages.py).
urlpatterns += i18n_patterns(path("", include("procedures.web.urls")), prefix_default_language=False)


def uploaded_file(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # Uploads are stored under new random names and never changed: keep them a year.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


if settings.SERVE_MEDIA:
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", uploaded_file)]
