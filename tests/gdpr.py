"""Helpers for the per-app personal-data tests (tests/<app>/test_personal_data.py): each creates a
person's data in its app, reads the download, deletes the account through its page and checks
exactly what is gone and what stays, pseudonymised."""

from __future__ import annotations

import json

from django.db.models import Q
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, User
from tests.factories.core import PASSWORD


def download(user: User) -> dict:
    """The JSON of "La mia area" → download, as the person gets it."""
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:personal_data"))
    assert response.status_code == 200
    return json.loads(response.content)


def erase(user: User, django_capture_on_commit_callbacks) -> User:
    """Delete the account through its page (password and confirmation), after-commit work run."""
    client = Client()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("core:account_delete"), {"password": PASSWORD, "confirm": "on"}
        )
    assert response.status_code == 302
    erased = User.objects.get(pk=user.pk)
    assert erased.anonymised_at is not None
    return erased


def audit_mentions(*texts: str) -> list[AuditEvent]:
    """Audit events whose who, what, changes or reason still contain any of `texts`."""
    q = Q()
    for text in texts:
        q |= (
            Q(actor_repr__icontains=text)
            | Q(object_repr__icontains=text)
            | Q(changes__icontains=text)
            | Q(reason__icontains=text)
        )
    return list(AuditEvent.objects.filter(q))
