"""Global search on PostgreSQL (core.search): a stored, GIN-indexed Italian tsvector of the
searched text of each kind of row (nothing on other databases)."""

from django.db import migrations

from core.search import add_search_document


class Migration(migrations.Migration):
    dependencies = [("processes", "0008_published_files_sha256")]
    operations = [
        add_search_document("processes_procedure", ["title", "subject"]),
        add_search_document("processes_notice", ["subject", "requirements"]),
    ]
