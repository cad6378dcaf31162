"""A real Celery worker on Redis runs a task that reads the database (CI runs this)."""

import pytest

from core.tasks import healthcheck
from tests.factories.core import UserFactory


@pytest.mark.celery_worker
@pytest.mark.redis
@pytest.mark.postgres
def test_worker_round_trip_touches_database(celery_worker_process):
    UserFactory.create_batch(3)
    result = healthcheck.delay().get(timeout=60)
    assert result == {"database": "postgresql", "users": 3}
