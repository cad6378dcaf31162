app_name = "processes"

urlpatterns: list = []
