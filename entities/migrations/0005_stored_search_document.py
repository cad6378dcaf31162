"""Directory search on PostgreSQL, fast at regional scale (issue 7):

- entities_entity.search_document: the Italian tsvector of name and description, a stored
  generated column with a GIN index. Ranking reads it instead of parsing every matching row's
  text again (0004's functional index served the match, never the rank, and the query's
  expression did not even match it);
- a trigram GIN index on UPPER(name), the expression of `name__icontains`, for partial words.

The column is not a model field: PostgreSQL computes it, selectors.search reads it. Nothing on
other databases (the search falls back to substring matches there).
"""

from django.db import migrations

DOCUMENT = (
    "to_tsvector('italian'::regconfig, COALESCE(name, '') || ' ' || COALESCE(description, ''))"
)
FORWARD = [
    "DROP INDEX IF EXISTS entities_entity_search_it",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"ALTER TABLE entities_entity ADD COLUMN IF NOT EXISTS search_document tsvector "
    f"GENERATED ALWAYS AS ({DOCUMENT}) STORED",
    "CREATE INDEX IF NOT EXISTS entities_entity_search_document "
    "ON entities_entity USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS entities_entity_name_trgm "
    "ON entities_entity USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS entities_entity_name_trgm",
    "DROP INDEX IF EXISTS entities_entity_search_document",
    "ALTER TABLE entities_entity DROP COLUMN IF EXISTS search_document",
    f"CREATE INDEX IF NOT EXISTS entities_entity_search_it ON entities_entity USING gin ({DOCUMENT})",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("entities", "0004_search_index")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD), elidable=False)]
