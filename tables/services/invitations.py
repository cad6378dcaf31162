"""State changes of invitations: convene, deliver, resend, RSVP, reminders, attendance."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, mail
from core.models import Notification, OutgoingEmail, User
from tables.messages import build_message, message_kind
from tables.models import (
    Invitation,
    Meeting,
    Table,
    TableMembership,
)
from tables.services.meetings import _deliver_after_commit, ensure_record_open, lock_meeting


def _in_app(users: Iterable[User | None], *, kind: str, title: str, url: str) -> None:
    """An in-app notification for people who already receive a dedicated e-mail about the same
    thing (the invitation itself): marked as e-mailed so that no second message goes out."""
    now = timezone.now()
    unique = {u.pk for u in users if u is not None}
    Notification.objects.bulk_create(
        [
            Notification(user_id=pk, kind=kind, title=title[:255], url=url, emailed_at=now)
            for pk in unique
        ]
    )


def member_invitees(table: Table) -> list[Invitation]:
    """One invitation per active seat: the entity's delegate, the comune's or expert's person."""
    seats = (
        TableMembership.objects.current()
        .filter(table=table)
        .select_related("delegate", "entity", "comune")
    )
    return [
        Invitation(
            user=s.delegate,
            email=s.delegate.email.lower(),
            name=s.delegate.get_full_name(),
            entity=s.entity,
            comune=s.comune,
            membership=s,
        )
        for s in seats
        if s.delegate.is_active and s.delegate.anonymised_at is None
    ]


@transaction.atomic
def invitations_send(
    *, meeting: Meeting, actor: User, extra: Sequence[tuple[str, str]] = ()
) -> int:
    """Convene the meeting: one invitation per member's delegate and per extra address, created
    here; the e-mails are built and queued by a Celery task after commit (the request returns at
    once, even for hundreds of invitees). A second click invites only who was not invited yet."""
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("La seduta è annullata."))
    if meeting.starts_at < timezone.now():
        raise ValidationError(_("La seduta è già iniziata: non si possono inviare convocazioni."))
    if not meeting.agenda_items.exists():
        raise ValidationError(
            _("Inserisci almeno un punto all'ordine del giorno prima di inviare la convocazione.")
        )
    already = set(meeting.invitations.values_list("email", flat=True))
    new: dict[str, Invitation] = {}
    for inv in member_invitees(meeting.table):
        if inv.email not in already and inv.email not in new:
            new[inv.email] = inv
    users_by_email = {
        u.email.lower(): u for u in User.objects.filter(email__in=[e for _n, e in extra])
    }
    for name, email in extra:
        if email not in already and email not in new:
            user = users_by_email.get(email)
            new[email] = Invitation(
                user=user, email=email, name=name or (user.get_full_name() if user else "")
            )
    for inv in new.values():
        inv.meeting = meeting
    created = Invitation.objects.bulk_create(list(new.values()), batch_size=500)
    first_time = meeting.status == Meeting.Status.DRAFT
    if first_time:
        meeting.status = Meeting.Status.CONVENED
        meeting.invitations_sent_at = timezone.now()
        meeting.save(update_fields=["status", "invitations_sent_at"])
    audit.record(
        actor=actor,
        action="tables.meeting.convened" if first_time else "tables.meeting.invited_more",
        obj=meeting,
        changes={"invitations": len(created)},
        ambito_id=meeting.table.ambito_id,
    )
    if created:
        _in_app(
            [i.user for i in created],
            kind="tables.invited",
            title=_("Hai ricevuto un invito alla seduta: %(meeting)s") % {"meeting": meeting},
            url=meeting.get_absolute_url(),
        )
        _deliver_after_commit(meeting)
    return len(created)


def meeting_deliver(meeting_id: int) -> int:
    """Queue the message each invitee has not received for the meeting's current state
    (invitation, update or cancellation). Invitations are claimed by moving their sent_sequence
    in the same transaction that stores the e-mails, so a retried task never sends twice."""
    sent = 0
    while True:
        with transaction.atomic():
            meeting = (
                Meeting.objects.select_for_update(of=("self",))
                .select_related("table__ambito")
                .prefetch_related("agenda_items")
                .get(pk=meeting_id)
            )
            batch = list(
                meeting.invitations.filter(sent_sequence__lt=meeting.sequence).order_by("pk")[:200]
            )
            if not batch:
                return sent
            pairs = [
                (inv, build_message(meeting, inv, message_kind(meeting, inv))) for inv in batch
            ]
            emails = mail.enqueue_many([e for _i, e in pairs])
            for (inv, _e), email in zip(pairs, emails, strict=True):
                inv.last_email = email
                inv.sent_sequence = meeting.sequence
            Invitation.objects.bulk_update([i for i, _e in pairs], ["last_email", "sent_sequence"])
            sent += len(batch)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> bool:
    """Re-queue a failed message (staff's button). A message not failed is left alone."""
    if (
        invitation.last_email_id is None
        or invitation.last_email.status != OutgoingEmail.Status.FAILED
    ):
        return False
    mail.resend(invitation.last_email)
    audit.record(
        actor=actor,
        action="tables.invitation.resent",
        obj=invitation,
        ambito_id=invitation.meeting.table.ambito_id,
    )
    return True


@transaction.atomic
def invitation_respond(
    *, invitation: Invitation, response: str, actor: User | None = None
) -> Invitation:
    if response not in (Invitation.Response.YES, Invitation.Response.NO, Invitation.Response.MAYBE):
        raise ValidationError(_("Risposta non valida."))
    if invitation.meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("La seduta è stata annullata."))
    if invitation.meeting.is_past:
        raise ValidationError(_("La seduta si è già svolta: non si può più rispondere."))
    before = invitation.response
    invitation.response = response
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    audit.record(
        actor=actor,
        action="tables.invitation.responded",
        obj=invitation,
        changes={"response": {"before": before, "after": response}},
        ambito_id=invitation.meeting.table.ambito_id,
    )
    return invitation


def send_reminders(now: datetime | None = None) -> int:
    """The day before a convened meeting, remind every invitee who did not decline, once."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()))
    end = start + timedelta(days=1)
    total = 0
    meetings = Meeting.objects.filter(
        status=Meeting.Status.CONVENED, starts_at__gte=start, starts_at__lt=end
    )
    for meeting_id in meetings.values_list("pk", flat=True):
        with transaction.atomic():
            meeting = (
                Meeting.objects.select_related("table__ambito")
                .prefetch_related("agenda_items")
                .get(pk=meeting_id)
            )
            pending = list(
                meeting.invitations.select_for_update(skip_locked=True)
                .filter(reminded_at__isnull=True)
                .exclude(response=Invitation.Response.NO)
                .order_by("pk")
            )
            if not pending:
                continue
            Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(reminded_at=now)
            emails = mail.enqueue_many([build_message(meeting, inv, "reminder") for inv in pending])
            for inv, email in zip(pending, emails, strict=True):
                inv.last_email = email
            Invitation.objects.bulk_update(pending, ["last_email"])
            total += len(pending)
    return total


@transaction.atomic
def attendance_record(*, meeting: Meeting, rows: Sequence[dict], actor: User) -> int:
    """rows: [{"invitation": Invitation, "attendance": str, "attendance_note": str, "delegated_to": str}]"""
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    changed = []
    for row in rows:
        inv = row["invitation"]
        new = {k: row.get(k, "") for k in ("attendance", "attendance_note", "delegated_to")}
        if new["attendance"] != Invitation.Attendance.DELEGATED:
            new["delegated_to"] = ""
        if any(getattr(inv, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(inv, k, v)
            changed.append(inv)
    Invitation.objects.bulk_update(changed, ["attendance", "attendance_note", "delegated_to"])
    audit.record_many(
        actor=actor,
        action="tables.invitation.attendance_recorded",
        objects=changed,
        changes_for=lambda i: {"attendance": i.attendance, "delegated_to": i.delegated_to},
        ambito_id=meeting.table.ambito_id,
    )
    return len(changed)
