from django.urls import path

from ambito import views

app_name = "ambito"

urlpatterns = [
    path("", views.ambito_list, name="list"),
    path("comuni/", views.comune_options, name="comune_options"),
    path("<slug:code>/", views.ambito_detail, name="detail"),
]
