"""The embedded mode's database cache table is made by `migrate` (core 0009), so that
`manage.py migrate` followed by `seed_demo` works without a separate createcachetable."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

TABLE = "test_portal_cache_made_by_migrate"
DB_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}
}


# Not transaction=True: a flush would delete the reference rows that data migrations seed.
@pytest.mark.django_db
def test_migrate_creates_the_database_cache_table_that_the_cache_then_uses():
    migration = import_module("core.migrations.0009_cache_table")
    with override_settings(CACHES=DB_CACHE):  # the table goes with the test's transaction
        assert TABLE not in connection.introspection.table_names()
        editor = SimpleNamespace(connection=connection)  # all the migration reads of it
        migration.create_cache_table(None, editor)
        assert TABLE in connection.introspection.table_names()
        migration.create_cache_table(None, editor)  # a second migrate changes nothing
        cache = caches.create_connection("default")
        cache.set("greeting", "buongiorno")
        assert cache.get("greeting") == "buongiorno"
