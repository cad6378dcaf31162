"""The one list of funding sources (fonti di finanziamento) of social policy in an ambito.

Every app that names a fund uses these codes: the Mappafondo of the Piano di Zona (plans loads
them as its standard FundingSource rows) and the budget of a procedure's final project
(processes.ProjectBudgetLine.fund). Staff may add sources of their own per ambito in plans; those
are not in this list. Codes are slugs and never change once published (rows store them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundKind(models.TextChoices):
    NATIONAL = "national", _("Nazionale")
    EUROPEAN = "european", _("Europeo / PNRR")
    REGIONAL = "regional", _("Regionale")
    LOCAL = "local", _("Comuni e ASL")
    PRIVATE = "private", _("Terzo settore e privati")


@dataclass(frozen=True)
class Fund:
    code: str
    name: str
    kind: str
    order: int


FUNDS: tuple[Fund, ...] = (
    Fund("fnps", "FNPS - Fondo nazionale politiche sociali", FundKind.NATIONAL, 10),
    Fund("poverta-servizi", "Fondo Povertà - quota servizi", FundKind.NATIONAL, 20),
    Fund("poverta-estrema", "Fondo Povertà - povertà estrema", FundKind.NATIONAL, 21),
    Fund("poverta-care-leavers", "Fondo Povertà - care leavers", FundKind.NATIONAL, 22),
    Fund("fna", "FNA - Fondo non autosufficienze", FundKind.NATIONAL, 30),
    Fund(
        "pnrr-m5c2-111",
        "PNRR M5C2 1.1.1 - Sostegno alle capacità genitoriali",
        FundKind.EUROPEAN,
        40,
    ),
    Fund(
        "pnrr-m5c2-112",
        "PNRR M5C2 1.1.2 - Autonomia degli anziani non autosufficienti",
        FundKind.EUROPEAN,
        41,
    ),
    Fund(
        "pnrr-m5c2-113",
        "PNRR M5C2 1.1.3 - Servizi sociali a domicilio per le dimissioni protette",
        FundKind.EUROPEAN,
        42,
    ),
    Fund(
        "pnrr-m5c2-114",
        "PNRR M5C2 1.1.4 - Prevenzione del burn out degli operatori sociali",
        FundKind.EUROPEAN,
        43,
    ),
    Fund(
        "pnrr-m5c2-12",
        "PNRR M5C2 1.2 - Percorsi di autonomia per persone con disabilità",
        FundKind.EUROPEAN,
        44,
    ),
    Fund("pnrr-m5c2-131", "PNRR M5C2 1.3.1 - Housing first", FundKind.EUROPEAN, 45),
    Fund("pnrr-m5c2-132", "PNRR M5C2 1.3.2 - Stazioni di posta", FundKind.EUROPEAN, 46),
    Fund("pnrr-m5c2", "PNRR M5C2 - altre misure", FundKind.EUROPEAN, 47),
    Fund("pn-inclusione", "PN Inclusione e lotta alla povertà 2021-2027", FundKind.EUROPEAN, 50),
    Fund("dopo-di-noi", "Fondo Dopo di noi (L. 112/2016)", FundKind.NATIONAL, 60),
    Fund("fondo-famiglia", "Fondo per le politiche della famiglia", FundKind.NATIONAL, 70),
    Fund("l285", "L. 285/1997 - Infanzia e adolescenza", FundKind.NATIONAL, 80),
    Fund("regionale", "Fondo sociale regionale", FundKind.REGIONAL, 90),
    Fund("comuni", "Risorse proprie dei comuni", FundKind.LOCAL, 100),
    Fund("asl", "ASL - integrazione socio-sanitaria", FundKind.LOCAL, 110),
    Fund("terzo-settore", "Cofinanziamento del Terzo settore", FundKind.PRIVATE, 120),
    Fund("fondazioni", "Fondazioni", FundKind.PRIVATE, 130),
)

# (code, name) pairs for a model field or a form: `choices=FUND_CHOICES`.
FUND_CHOICES: list[tuple[str, str]] = [(f.code, f.name) for f in FUNDS]

# The longest code, for the fields that store one.
CODE_MAX_LENGTH = 40

# Codes used by processes before the one list (migration processes 0011 rewrites stored rows).
LEGACY_PROCESS_CODES = {
    "poverta": "poverta-servizi",
    "pnrr": "pnrr-m5c2",
    "pn_inclusione": "pn-inclusione",
    "dopo_di_noi": "dopo-di-noi",
    "famiglia": "fondo-famiglia",
    "ets": "terzo-settore",
}


def fund_name(code: str) -> str:
    """The name of the standard fund `code` (the code itself when it is not standard)."""
    return next((f.name for f in FUNDS if f.code == code), code)
