"""Demo: the four ATS 6 working tables."""

from __future__ import annotations

from tables.models import Table

ATS6_TABLES = [
    (
        "inclusione",
        "Inclusione",
        "poverta",
        "Contrasto alla povertà, inclusione sociale e lavorativa, PON Inclusione.",
    ),
    (
        "salute-mentale",
        "Salute mentale",
        "multiutenza",
        "Integrazione socio-sanitaria per la salute mentale, con il DSM dell'ASL.",
    ),
    (
        "non-autosufficienza",
        "Non autosufficienza",
        "anziani",
        "Servizi per persone non autosufficienti e per chi se ne prende cura.",
    ),
    (
        "famiglia",
        "Famiglia",
        "famiglia-minori",
        "Sostegno alle famiglie, ai minori e alla genitorialità.",
    ),
]


def seed(ctx: dict) -> None:
    from entities.models import TargetGroup

    tables = {}
    for slug, name, theme, description in ATS6_TABLES:
        table, _ = Table.objects.get_or_create(
            ambito=ctx["ambito"], slug=slug, defaults={"name": name, "description": description}
        )
        table.themes.add(*TargetGroup.objects.filter(code=theme))
        table.coordinators.add(ctx["coordinator"])
        tables[slug] = table
    ctx["tables"] = tables
