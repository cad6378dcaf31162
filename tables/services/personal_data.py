"""Personal data of tables: what a person's export holds, what an account deletion erases or
pseudonymises."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from tables.models import Invitation, Minutes, MinutesComment, Table, TableMembership


def export_personal_data(user) -> dict:
    """What the person did at tables: seats, coordinated tables, invitations, observations."""
    return {
        "seats": [
            {
                "table": m.table.name,
                "kind": m.kind,
                "status": m.status,
                "requested_at": m.requested_at.isoformat(),
            }
            for m in TableMembership.objects.filter(Q(delegate=user) | Q(substitute=user))
            .select_related("table")
            .order_by("requested_at")
        ],
        "coordinated_tables": list(
            user.coordinated_tables.order_by("name").values_list("name", flat=True)
        ),
        "invitations": [
            {
                "meeting": str(i.meeting),
                "name": i.name,
                "email": i.email,
                "response": i.response,
                "attendance": i.attendance,
                "attendance_note": i.attendance_note,
            }
            for i in Invitation.objects.filter(Q(user=user) | Q(email__iexact=user.email))
            .select_related("meeting")
            .order_by("meeting__starts_at")
        ],
        "minutes_observations": [
            {"minutes": str(c.minutes), "text": c.body, "created_at": c.created_at.isoformat()}
            for c in MinutesComment.objects.filter(author=user).select_related("minutes__meeting")
        ],
    }


def erase_personal_data(user) -> list:
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
