"""The permission matrix's world and personas (tests/security), for the API and open-data tests."""

from tests.security.conftest import personas, world  # noqa: F401
