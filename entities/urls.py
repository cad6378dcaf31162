app_name = "entities"

urlpatterns: list = []
