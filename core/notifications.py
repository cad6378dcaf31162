"""Notifications: what concerns a user, shown in the portal and e-mailed as the user chose
(immediately, a daily digest, or never). Lower layers call `notify`; each item is e-mailed once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from core import mail
from core.models import Notification, User


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    url: str = "",
    body: str = "",
    ambito_id: int | None = None,
) -> list[Notification]:
    """Create one notification per user (duplicates in `users` collapse). Those who want e-mail
    immediately get it after commit; `ambito_id` shows a failed one to that ambito's staff."""
    unique = {u.pk: u for u in users if u is not None and u.is_active and u.anonymised_at is None}
    notes = Notification.objects.bulk_create(
        [
            Notification(user_id=pk, kind=kind, title=title[:255], url=url, body=body)
            for pk in unique
        ]
    )
    now = timezone.now()
    immediate = [
        n for n in notes if unique[n.user_id].notification_email == User.EmailFrequency.IMMEDIATE
    ]
    if immediate:
        emails = [
            mail.build(
                "notification",
                {"notification": n, "user": unique[n.user_id]},
                to=unique[n.user_id].email,
                ambito_id=ambito_id,
            )
            for n in immediate
        ]
        Notification.objects.filter(pk__in=[n.pk for n in immediate]).update(emailed_at=now)
        mail.enqueue_many(emails)
    return notes


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def send_digests() -> int:
    """One e-mail per user who chose the daily digest, listing what they have not received yet.
    Items are claimed (emailed_at set) in the same transaction that queues the e-mail, so a
    second run sends nothing twice."""
    sent = 0
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            user__notification_email=User.EmailFrequency.DAILY,
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in list(pending):
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user_id)
            items = list(
                Notification.objects.filter(user=user, emailed_at__isnull=True).order_by(
                    "created_at"
                )[:200]
            )
            if not items:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                emailed_at=timezone.now()
            )
            groups: dict[str, list[Notification]] = defaultdict(list)
            for n in items:
                groups[n.kind].append(n)
            mail.enqueue("notification_digest", {"user": user, "items": items}, to=user.email)
            sent += 1
    return sent
