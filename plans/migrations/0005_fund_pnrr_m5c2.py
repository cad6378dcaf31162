"""The standard fund added when processes and plans came to share one list (ambito.funds):
"PNRR M5C2 - altre misure", for the PNRR measures the other rows do not name."""

from django.db import migrations

CODE = "pnrr-m5c2"


def load(apps, schema_editor):
    apps.get_model("plans", "FundingSource").objects.update_or_create(
        ambito=None,
        code=CODE,
        defaults={"name": "PNRR M5C2 - altre misure", "kind": "european", "order": 47},
    )


def unload(apps, schema_editor):
    apps.get_model("plans", "FundingSource").objects.filter(
        ambito=None, code=CODE, availabilities=None, budget_lines=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0004_search_document")]

    operations = [migrations.RunPython(load, unload)]
