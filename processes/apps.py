from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "processes"
    verbose_name = _("Procedimenti di amministrazione condivisa")

    def ready(self) -> None:
        from processes import contributions

        contributions.register()
