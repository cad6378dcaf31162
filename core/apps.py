from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Nucleo del portale")

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in
        from allauth.socialaccount.signals import social_account_added
        from django.db.models import ForeignKey, IntegerField

        from core import contributions
        from core.adapters import on_social_account_added, on_user_logged_in
        from core.queries import IntegerFieldAny, IntegerFieldIn

        IntegerField.register_lookup(IntegerFieldIn)
        IntegerField.register_lookup(IntegerFieldAny)
        ForeignKey.register_lookup(IntegerFieldAny)
        contributions.register()
        # SPID/CIE: the fiscal code of a linked identity, the session's level (core.identity).
        user_logged_in.connect(on_user_logged_in, dispatch_uid="core_spid_cie_login")
        social_account_added.connect(on_social_account_added, dispatch_uid="core_spid_cie_link")
