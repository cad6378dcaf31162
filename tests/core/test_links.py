"""core.links.object_url gives exactly what reverse() gives."""

import pytest
from django.urls import reverse, set_script_prefix

from core.links import object_url


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("entities:detail", {"pk": 7}),
        ("tables:meeting_detail", {"pk": 123456}),
        ("plans:intervention", {"pk": 3, "intervention_pk": 41}),
        ("plans:version", {"pk": 12, "number": 2}),
    ],
)
def test_same_as_reverse(name, kwargs):
    assert object_url(name, **kwargs) == reverse(name, kwargs=kwargs)


def test_follows_the_script_prefix():
    try:
        set_script_prefix("/portale/")
        assert object_url("entities:detail", pk=5) == "/portale/enti/5/"
    finally:
        set_script_prefix("/")
    assert object_url("entities:detail", pk=5) == "/enti/5/"
