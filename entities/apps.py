from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = _("Enti del Terzo settore")

    def ready(self) -> None:
        from entities import invitations, sections  # noqa: F401 - registers sections and the login hook
