"""Seed the load database: N citizens with verified e-mail and a few notifications each.
Idempotent. Run through `manage.py shell` by bench/load/run.py (LOAD_SEEDED_USERS, LOAD_PASSWORD)."""

from __future__ import annotations

import os

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from core.models import Notification, User

n_users = int(os.environ.get("LOAD_SEEDED_USERS", "60"))
password = make_password(os.environ.get("LOAD_PASSWORD", "load-Password-2026"))
for n in range(n_users):
    user, created = User.objects.get_or_create(
        email=f"load-{n}@example.org",
        defaults={"first_name": "Utente", "last_name": f"Carico {n}", "password": password},
    )
    if not created:
        User.objects.filter(pk=user.pk).update(password=password, is_active=True)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if not Notification.objects.filter(user=user).exists():
        Notification.objects.bulk_create(
            [Notification(user=user, kind="load", title=f"Notifica {i}") for i in range(5)]
        )
# TODO after the merge: tables with open meetings, open procedures, entity memberships for the
# load users (see FEATURE_TASKS in locustfile.py).
print(f"seeded {n_users} users")
