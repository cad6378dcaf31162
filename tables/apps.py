from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TablesConfig(AppConfig):
    name = "tables"
    verbose_name = _("Tavoli e sedute")

    def ready(self) -> None:
        from core import registry
        from tables import sections
        from tables.services import personal_data

        sections.register()
        registry.personal_data_exporter("tables", sections.export_personal_data)
        registry.personal_data_eraser("tables", personal_data.personal_data_erase)
