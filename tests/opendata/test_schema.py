"""The OpenAPI 3 schema validates, and the live API answers as it says (schemathesis on
loopback: a few hundred generated requests to the public endpoints)."""

from __future__ import annotations

import pytest
import schemathesis
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises on an invalid document
    paths = schema["paths"]
    assert {"/api/v1/enti/", "/api/v1/procedimenti/{id}/", "/api/v1/piani/{id}/"} <= set(paths)
    params = {p["name"] for p in paths["/api/v1/enti/"]["get"]["parameters"]}
    assert {"q", "attivita", "utenza", "comune", "sezione", "forma", "tipo", "cursor"} <= params


def test_an_invalid_schema_fails_the_validator(client):
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    schema = client.get(reverse("api:schema")).json()
    del schema["paths"]["/api/v1/enti/"]["get"]["responses"]
    with pytest.raises(OpenAPIValidationError):
        validate(schema)


@pytest.fixture
def live_schema(transactional_db, live_server, world):
    """The permission matrix's world (objects of every kind, in every state), then the schema as
    the live server serves it."""
    return schemathesis.openapi.from_url(f"{live_server.url}{reverse('api:schema')}")


def test_live_api_matches_its_schema(live_schema, live_server):
    """Every operation, 15 generated requests each (valid and invalid parameters, derandomized):
    no server error, every status, header, content type and body as the schema says."""
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert len(operations) == 20
    calls = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            nonlocal calls
            calls += 1
            # Every check but "valid data accepted": a cursor is opaque (a random string is a
            # bad cursor, 400) and the directory's choices come from the data.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        run()
    assert calls >= 200
    # and every object the lists give, through its detail (the bodies with the public record)
    details = 0
    for operation in operations:
        if "{" not in operation.path:
            continue
        listing = operation.path.split("{")[0]
        response = Client().get(f"{listing}?page_size=200")
        key = operation.path.split("{")[1].rstrip("}/")
        field = {"id": "id", "code": "codice", "istat_code": "codice_istat"}[key]
        for item in response.json()["results"]:
            case = operation.Case(path_parameters={key: item[field]})
            case.call_and_validate(excluded_checks=[positive_data_acceptance])
            details += 1
    assert details >= 25
