"""Root URLs of the benchmark settings: the portal's own, plus the bare reference view when
settings.BENCH_BARE_VIEW is on (config/settings/bench.py). Production never loads this module."""

from django.conf import settings
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]

urlpatterns = list(portal_urlpatterns)
if getattr(settings, "BENCH_BARE_VIEW", False):
    from bench.views import bare

    urlpatterns.insert(0, path("__bench__/bare/", bare, name="bench_bare"))
