"""Root URLs: each app mounts its own urls.py under a prefix."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

admin.site.login = secure_admin_login(admin.site.login)  # allauth rate limits and MFA for /admin

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include("allauth.urls")),
    path("", include("core.urls")),
    path("ambiti/", include("ambito.urls")),
    path("enti/", include("entities.urls")),
    path("tavoli/", include("tables.urls")),
    path("procedimenti/", include("processes.urls")),
    path("partecipazione/", include("participation.urls")),
    path("piani/", include("plans.urls")),
    path("api/v1/", include("opendata.api.urls")),
    path("", include("opendata.urls")),
]

if settings.SERVE_MEDIA:
    # Embedded mode only (config.settings.local): public uploads, such as entity logos.
    # serve() refuses paths that leave MEDIA_ROOT; private files are not under it.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
