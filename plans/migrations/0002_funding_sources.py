"""The standard funding sources of the Mappafondo (then in plans/reference.py)."""

from django.db import migrations

# (code, name, kind, order): the standard sources as they were when this migration was written,
# frozen here so that it never changes meaning (the list lives in ambito.funds since; 0005 adds
# what came later).
FUNDING_SOURCES = [
    ("fnps", "FNPS - Fondo nazionale politiche sociali", "national", 10),
    ("poverta-servizi", "Fondo Povertà - quota servizi", "national", 20),
    ("poverta-estrema", "Fondo Povertà - povertà estrema", "national", 21),
    ("poverta-care-leavers", "Fondo Povertà - care leavers", "national", 22),
    ("fna", "FNA - Fondo non autosufficienze", "national", 30),
    ("pnrr-m5c2-111", "PNRR M5C2 1.1.1 - Sostegno alle capacità genitoriali", "european", 40),
    (
        "pnrr-m5c2-112",
        "PNRR M5C2 1.1.2 - Autonomia degli anziani non autosufficienti",
        "european",
        41,
    ),
    (
        "pnrr-m5c2-113",
        "PNRR M5C2 1.1.3 - Servizi sociali a domicilio per le dimissioni protette",
        "european",
        42,
    ),
    (
        "pnrr-m5c2-114",
        "PNRR M5C2 1.1.4 - Prevenzione del burn out degli operatori sociali",
        "european",
        43,
    ),
    (
        "pnrr-m5c2-12",
        "PNRR M5C2 1.2 - Percorsi di autonomia per persone con disabilità",
        "european",
        44,
    ),
    ("pnrr-m5c2-131", "PNRR M5C2 1.3.1 - Housing first", "european", 45),
    ("pnrr-m5c2-132", "PNRR M5C2 1.3.2 - Stazioni di posta", "european", 46),
    ("pn-inclusione", "PN Inclusione e lotta alla povertà 2021-2027", "european", 50),
    ("dopo-di-noi", "Fondo Dopo di noi (L. 112/2016)", "national", 60),
    ("fondo-famiglia", "Fondo per le politiche della famiglia", "national", 70),
    ("l285", "L. 285/1997 - Infanzia e adolescenza", "national", 80),
    ("regionale", "Fondo sociale regionale", "regional", 90),
    ("comuni", "Risorse proprie dei comuni", "local", 100),
    ("asl", "ASL - integrazione socio-sanitaria", "local", 110),
    ("terzo-settore", "Cofinanziamento del Terzo settore", "private", 120),
    ("fondazioni", "Fondazioni", "private", 130),
]


def load(apps, schema_editor):
    FundingSource = apps.get_model("plans", "FundingSource")
    for code, name, kind, order in FUNDING_SOURCES:
        FundingSource.objects.update_or_create(ambito=None, code=code, defaults={"name": name, "kind": kind, "order": order})


def unload(apps, schema_editor):
    apps.get_model("plans", "FundingSource").objects.filter(
        ambito=None, code__in=[c for c, *_ in FUNDING_SOURCES], availabilities=None, budget_lines=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
