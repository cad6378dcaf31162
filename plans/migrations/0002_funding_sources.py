"""The standard funding sources of the Mappafondo (plans/reference.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from plans.reference import FUNDING_SOURCES

    FundingSource = apps.get_model("plans", "FundingSource")
    for code, name, kind, order in FUNDING_SOURCES:
        FundingSource.objects.update_or_create(ambito=None, code=code, defaults={"name": name, "kind": kind, "order": order})


def unload(apps, schema_editor):
    from plans.reference import FUNDING_SOURCES

    apps.get_model("plans", "FundingSource").objects.filter(
        ambito=None, code__in=[c for c, *_ in FUNDING_SOURCES], availabilities=None, budget_lines=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
