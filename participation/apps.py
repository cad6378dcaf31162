from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Partecipazione e comunicazione")

    def ready(self) -> None:
        from participation import sections  # noqa: F401 - registers the blocks
