from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbitoConfig(AppConfig):
    name = "ambito"
    verbose_name = _("Ambiti territoriali")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ambito import (
            contributions,
            invitations,  # noqa: F401 - the login hook
        )
        from ambito.models import Ambito
        from ambito.routing import place
        from core.templatetags.memo import add_key_part

        contributions.register()
        add_key_part(place)  # fragments link within the ambito of the URL ({{ url|within:code }})

        post_save.connect(_ambiti_changed, sender=Ambito, dispatch_uid="ambito_codes_saved")
        post_delete.connect(_ambiti_changed, sender=Ambito, dispatch_uid="ambito_codes_deleted")


def _ambiti_changed(**kwargs) -> None:
    """The cached codes of ambito.routing go now and again once the change is committed (a
    request in between may have read the rows as they were)."""
    from django.db import transaction

    from ambito.routing import forget_codes

    forget_codes()
    transaction.on_commit(forget_codes)
