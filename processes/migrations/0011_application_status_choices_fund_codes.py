"""Application.status gets its choices; the project budget's funds take the codes of the one list
(ambito.funds), and stored rows with the old codes are rewritten."""

from django.db import migrations, models

# Frozen here so that the migration keeps its meaning if the list changes.
OLD_TO_NEW = {
    "poverta": "poverta-servizi",
    "pnrr": "pnrr-m5c2",
    "pn_inclusione": "pn-inclusione",
    "dopo_di_noi": "dopo-di-noi",
    "famiglia": "fondo-famiglia",
    "ets": "terzo-settore",
}


def rewrite(apps, schema_editor, mapping=OLD_TO_NEW):
    line = apps.get_model("processes", "ProjectBudgetLine")
    for old, new in mapping.items():
        line.objects.filter(fund=old).update(fund=new)


def rewrite_back(apps, schema_editor):
    rewrite(apps, schema_editor, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("processes", "0010_protocol_registrations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Bozza"),
                    ("submitted", "Presentata"),
                    ("integration", "Soccorso istruttorio in corso"),
                    ("pre_rejection", "Motivi ostativi comunicati (art. 10-bis)"),
                    ("admitted", "Ammessa"),
                    ("not_admitted", "Non ammessa"),
                ],
                db_index=True,
                default="draft",
                max_length=30,
                verbose_name="stato",
            ),
        ),
        migrations.AlterField(
            model_name="projectbudgetline",
            name="fund",
            field=models.CharField(
                choices=[
                    ("fnps", "FNPS - Fondo nazionale politiche sociali"),
                    ("poverta-servizi", "Fondo Povertà - quota servizi"),
                    ("poverta-estrema", "Fondo Povertà - povertà estrema"),
                    ("poverta-care-leavers", "Fondo Povertà - care leavers"),
                    ("fna", "FNA - Fondo non autosufficienze"),
                    ("pnrr-m5c2-111", "PNRR M5C2 1.1.1 - Sostegno alle capacità genitoriali"),
                    (
                        "pnrr-m5c2-112",
                        "PNRR M5C2 1.1.2 - Autonomia degli anziani non autosufficienti",
                    ),
                    (
                        "pnrr-m5c2-113",
                        "PNRR M5C2 1.1.3 - Servizi sociali a domicilio per le dimissioni protette",
                    ),
                    (
                        "pnrr-m5c2-114",
                        "PNRR M5C2 1.1.4 - Prevenzione del burn out degli operatori sociali",
                    ),
                    (
                        "pnrr-m5c2-12",
                        "PNRR M5C2 1.2 - Percorsi di autonomia per persone con disabilità",
                    ),
                    ("pnrr-m5c2-131", "PNRR M5C2 1.3.1 - Housing first"),
                    ("pnrr-m5c2-132", "PNRR M5C2 1.3.2 - Stazioni di posta"),
                    ("pnrr-m5c2", "PNRR M5C2 - altre misure"),
                    ("pn-inclusione", "PN Inclusione e lotta alla povertà 2021-2027"),
                    ("dopo-di-noi", "Fondo Dopo di noi (L. 112/2016)"),
                    ("fondo-famiglia", "Fondo per le politiche della famiglia"),
                    ("l285", "L. 285/1997 - Infanzia e adolescenza"),
                    ("regionale", "Fondo sociale regionale"),
                    ("comuni", "Risorse proprie dei comuni"),
                    ("asl", "ASL - integrazione socio-sanitaria"),
                    ("terzo-settore", "Cofinanziamento del Terzo settore"),
                    ("fondazioni", "Fondazioni"),
                ],
                max_length=40,
                verbose_name="fonte di finanziamento",
            ),
        ),
        migrations.RunPython(rewrite, rewrite_back),
    ]
