"""Global search on PostgreSQL (core.search): a stored, GIN-indexed Italian tsvector of the
searched text of each kind of row (nothing on other databases)."""

from django.db import migrations

from core.search import add_search_document


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_planversion_pdf_sha256")]
    operations = [
        add_search_document("plans_plan", ["title"]),
        add_search_document("plans_intervention", ["title", "code", "objective", "description"]),
    ]
