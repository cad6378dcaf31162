from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TablesConfig(AppConfig):
    name = "tables"
    verbose_name = _("Tavoli e sedute")

    def ready(self) -> None:
        from tables import contributions

        contributions.register()
