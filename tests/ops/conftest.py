"""Fixtures of other test folders that the operations tests use."""

from tests.entities.conftest import png_bytes, registration_data  # noqa: F401
