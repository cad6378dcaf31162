from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = _("Enti del Terzo settore")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from ambito.models import Comune
        from entities import contributions, invitations  # noqa: F401 - invitations: the login hook
        from entities.models import Activity, Entity, TargetGroup
        from entities.selectors import forget_directory_choices

        contributions.register()
        # The directory's cached filter options follow the rows they list.
        for model in (Entity, Comune, Activity, TargetGroup):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    forget_directory_choices,
                    sender=model,
                    dispatch_uid=f"entities-directory-choices-{name}-{model.__name__}",
                )
        m2m_changed.connect(
            forget_directory_choices,
            sender=Entity.operating_comuni.through,
            dispatch_uid="entities-directory-choices-operating-comuni",
        )
