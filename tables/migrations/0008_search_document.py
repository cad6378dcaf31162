"""Global search on PostgreSQL (core.search): a stored, GIN-indexed Italian tsvector of the
searched text of each kind of row (nothing on other databases)."""

from django.db import migrations

from core.search import add_search_document


class Migration(migrations.Migration):
    dependencies = [("tables", "0007_table_reserved")]
    operations = [
        add_search_document("tables_table", ["name", "description"]),
        add_search_document("tables_meeting", ["title", "description"]),
    ]
