from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("cerca/", views.search, name="search"),
    path("la-mia-area/", views.my_area, name="my_area"),
    path("la-mia-area/identita-digitale/", views.digital_identity, name="identity"),
    path("la-mia-area/dati/", views.personal_data_download, name="personal_data"),
    path("la-mia-area/cancella-account/", views.account_delete, name="account_delete"),
    path("notifiche/", views.notification_list, name="notifications"),
    path("notifiche/lette/", views.notification_read, name="notifications_read"),
    path("accessibilita/", views.static_page("core/accessibility.html"), name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("note-legali/", views.static_page("core/legal.html"), name="legal"),
    path("health/", views.health, name="health"),
]
