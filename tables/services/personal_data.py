"""Personal data of tables: what an account deletion erases or pseudonymises."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from tables.models import Invitation, Minutes, MinutesComment, Table, TableMembership


def personal_data_erase(user) -> list:
    """Account deletion.
    - Invitations to meetings still to come go, with their RSVP; past ones that recorded nothing
      go too. Past ones with attendance are the attendance register: they keep their row under
      the pseudonymous address; the name stays where the minutes are approved (an official act,
      GDPR art. 17(3)(b), as approved); elsewhere it becomes "Utente cancellato" and the note of
      the absence goes.
    - The person leaves every table (an entity's substitute, if any, becomes its delegate) and
      coordinates none; observations on minutes stay with the minutes, by the pseudonymous row.
    Returns the rows whose description named the person (for the audit trail)."""
    now = timezone.now()
    invitations = Invitation.objects.filter(Q(user=user) | Q(email__iexact=user.email))
    named = [
        *invitations,
        *TableMembership.objects.filter(delegate=user, entity__isnull=True),
        *MinutesComment.objects.filter(author=user),
    ]
    invitations.filter(Q(meeting__ends_at__gte=now) | Q(attendance="")).delete()
    invitations.exclude(meeting__minutes__status=Minutes.Status.APPROVED).update(
        name="Utente cancellato", attendance_note=""
    )
    invitations.update(email=user.pseudonymous_email)
    open_seats = TableMembership.objects.filter(delegate=user, status__in=["requested", "active"])
    # An entity keeps its seat when a substitute can take over as delegate.
    for seat in open_seats.filter(substitute__isnull=False).exclude(substitute=user):
        TableMembership.objects.filter(pk=seat.pk).update(
            delegate_id=seat.substitute_id, substitute=None
        )
    open_seats.update(
        status=TableMembership.Status.LEFT, left_at=now, status_reason="Account cancellato"
    )
    TableMembership.objects.filter(substitute=user).update(substitute=None)
    Table.coordinators.through.objects.filter(user_id=user.pk).delete()
    return named
