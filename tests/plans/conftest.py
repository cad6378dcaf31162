import pytest


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (browser, Celery worker) flush every table after each test, data
    migrations included: load the reference lists (areas, funding sources) again for them."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" not in request.fixturenames and not (
        marker and marker.kwargs.get("transaction")
    ):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    for module in (
        "entities.migrations.0002_reference_lists",
        "plans.migrations.0002_funding_sources",
    ):
        import_module(module).load(apps, None)
