"""Load the art. 5 activities and the ISTAT target groups (entities/reference.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from entities.reference import ACTIVITIES, TARGET_GROUPS

    Activity = apps.get_model("entities", "Activity")
    TargetGroup = apps.get_model("entities", "TargetGroup")
    for code, name in ACTIVITIES:
        Activity.objects.update_or_create(code=code, defaults={"name": name})
    for order, (code, name) in enumerate(TARGET_GROUPS):
        TargetGroup.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def unload(apps, schema_editor):
    apps.get_model("entities", "Activity").objects.all().delete()
    apps.get_model("entities", "TargetGroup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("entities", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
