"""Global search on PostgreSQL (core.search): a stored, GIN-indexed Italian tsvector of the
searched text of each kind of row (nothing on other databases)."""

from django.db import migrations

from core.search import add_search_document


class Migration(migrations.Migration):
    dependencies = [("participation", "0006_registration_address_confirmation")]
    operations = [
        add_search_document("participation_proposal", ["title", "text"]),
        add_search_document("participation_news", ["title", "summary", "body"]),
        add_search_document("participation_libraryitem", ["title", "description", "source"]),
        add_search_document("participation_event", ["title", "summary", "description", "place"]),
    ]
