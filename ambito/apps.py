from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbitoConfig(AppConfig):
    name = "ambito"
    verbose_name = _("Ambiti territoriali")

    def ready(self) -> None:
        from ambito import sections  # noqa: F401 - registers home and my-area sections
