from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Nucleo del portale")

    def ready(self) -> None:
        from django.db.models import IntegerField

        from core import retention  # noqa: F401 - registers core's retention rules
        from core.queries import IntegerFieldIn

        IntegerField.register_lookup(IntegerFieldIn)
