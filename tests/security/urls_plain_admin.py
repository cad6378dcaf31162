"""The portal's URLs plus Django's own admin login, unwrapped (without allauth's
secure_admin_login): test_login.py shows what the wrapper protects against."""

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns

# admin.site.login is replaced by the wrapped view in config/urls.py; the class keeps Django's.
plain_admin_login = AdminSite.login.__get__(admin.site)

urlpatterns = [path("plain-admin/login/", plain_admin_login), *portal_urlpatterns]
