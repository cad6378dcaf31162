from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """The read-only API (/api/v1/) and the open data of each ambito (/dati-aperti/): the top
    layer, above plans. It reads every other app through its policies and selectors and changes
    nothing."""

    name = "opendata"
    verbose_name = _("Dati aperti e API")
