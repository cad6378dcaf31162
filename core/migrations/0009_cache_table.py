"""The embedded mode's database cache table (settings: CACHES without REDIS_URL), created by
`migrate` itself, so that every way of starting (make run, manage.py migrate then seed_demo, the
load benchmark) finds it. With Redis, or once the table exists, nothing happens."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_outgoingemail_channel_pecreceipt")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
