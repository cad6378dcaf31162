"""Full-text search of the directory on PostgreSQL: a GIN index on the Italian tsvector of name
and description (the same expression as selectors.SEARCH_VECTOR). Nothing on other databases."""

from django.db import migrations

INDEX = "entities_entity_search_it"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON entities_entity USING gin ("
    "to_tsvector('italian'::regconfig, COALESCE(name, '') || ' ' || COALESCE(description, '')))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("entities", "0003_invitation")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
