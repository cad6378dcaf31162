"""Every state change of tables, memberships, meetings, invitations and minutes. Each use case is
one atomic function; e-mail and files go through core's pipelines after commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, ics, jobs, mail, notifications
from core.models import FileJob, Notification, OutgoingEmail, User
from entities.models import Entity, EntityMembership
from tables import records
from tables.models import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingAttachment,
    Minutes,
    MinutesComment,
    MinutesVersion,
    Table,
    TableMembership,
)

RSVP_SALT = "tables.rsvp"
FEED_SALT = "tables.feed"
TABLE_FIELDS = [
    "name",
    "slug",
    "kind",
    "themes",
    "comune",
    "description",
    "coordinators",
    "is_open",
]
MEETING_FIELDS = ["title", "starts_at", "ends_at", "place", "online_url", "description"]
# A change of these is news for invitees: they receive an update (SEQUENCE + 1).
SCHEDULE_FIELDS = ("starts_at", "ends_at", "place", "online_url")
MINUTES_PDF = MinutesVersion.PDF_KIND


# --- tokens -------------------------------------------------------------------------------
def rsvp_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=RSVP_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation | None:
    try:
        pk = signing.loads(token, salt=RSVP_SALT)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("meeting__table__ambito").filter(pk=pk).first()


def feed_token(user: User) -> str:
    return signing.dumps(user.pk, salt=FEED_SALT, compress=True)


def user_from_feed_token(token: str) -> User | None:
    try:
        pk = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


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


# --- tables -------------------------------------------------------------------------------
@transaction.atomic
def table_save(*, form, actor: User, ambito=None) -> Table:
    """Create (ambito given) or update a table from a validated TableForm."""
    table = form.instance
    creating = table.pk is None
    before = {} if creating else audit.snapshot(Table.objects.get(pk=table.pk), TABLE_FIELDS)
    if creating:
        table.ambito = ambito
    table = form.save()
    after = audit.snapshot(table, TABLE_FIELDS)
    audit.record(
        actor=actor,
        action="table.create" if creating else "table.update",
        obj=table,
        changes=audit.diff(before, after),
        ambito_id=table.ambito_id,
    )
    return table


@transaction.atomic
def reserved_table_create(
    *,
    ambito,
    name: str,
    slug: str,
    actor: User,
    description: str = "",
    coordinators: Iterable[User] = (),
    themes: Iterable = (),
) -> Table:
    """A reserved table (Table.reserved): closed to requests to join, seen only by its members,
    its coordinators and the staff of its ambito until it is disclosed. A higher layer (a
    co-progettazione) creates it and seats its members."""
    table = Table(
        ambito=ambito,
        name=name[:200],
        slug=slug,
        kind=Table.Kind.WORKING_GROUP,
        description=description,
        is_open=False,
        reserved=True,
    )
    table.full_clean()
    table.save()
    table.coordinators.set(coordinators)
    table.themes.set(themes)
    audit.record(
        actor=actor,
        action="table.create",
        obj=table,
        changes=audit.diff({}, audit.snapshot(table, [*TABLE_FIELDS, "reserved"])),
        ambito_id=table.ambito_id,
    )
    return table


@transaction.atomic
def table_disclose(*, table: Table, actor: User, reason: str = "") -> Table:
    """Make a reserved table's records public (its page, convened meetings, approved minutes);
    it stays closed to requests to join. Once only."""
    if not table.reserved or table.disclosed_at is not None:
        return table
    table.disclosed_at = timezone.now()
    Table.objects.filter(pk=table.pk).update(disclosed_at=table.disclosed_at)
    audit.record(
        actor=actor,
        action="table.disclosed",
        obj=table,
        changes={"disclosed_at": table.disclosed_at},
        reason=reason,
        ambito_id=table.ambito_id,
    )
    return table


# --- memberships --------------------------------------------------------------------------
def entity_people(entity: Entity):
    return User.objects.filter(
        entity_memberships__entity=entity, entity_memberships__ended_at__isnull=True, is_active=True
    ).distinct()


def _table_managers(table: Table) -> list[User]:
    from ambito.models import StaffRole

    return list(
        User.objects.filter(
            Q(coordinated_tables=table)
            | Q(
                staff_roles__ambito_id=table.ambito_id,
                staff_roles__role__in=[StaffRole.Role.COORDINATOR, StaffRole.Role.OPERATOR],
            )
        ).distinct()
    )


@transaction.atomic
def membership_request(
    *,
    table: Table,
    entity: Entity,
    delegate: User,
    substitute: User | None,
    motivation: str,
    actor: User,
) -> TableMembership:
    if not entity.is_verified:
        raise ValidationError(
            _("Solo gli enti verificati possono chiedere di partecipare a un tavolo.")
        )
    if not table.is_open or table.archived_at:
        raise ValidationError(_("Questo tavolo non accetta richieste di partecipazione."))
    if entity.ambito_id != table.ambito_id:
        raise ValidationError(_("Solo gli enti dell'ambito possono partecipare a questo tavolo."))
    if TableMembership.objects.filter(
        table=table, entity=entity, status__in=["requested", "active"]
    ).exists():
        raise ValidationError(
            _("L'ente ha già una richiesta in corso o partecipa già a questo tavolo.")
        )
    people = set(entity_people(entity).values_list("pk", flat=True))
    if delegate.pk not in people or (substitute and substitute.pk not in people):
        raise ValidationError(_("Delegato e sostituto devono essere persone dell'ente."))
    if substitute and substitute.pk == delegate.pk:
        raise ValidationError(_("Il sostituto deve essere una persona diversa dal delegato."))
    membership = TableMembership.objects.create(
        table=table,
        kind=TableMembership.Kind.ENTITY,
        entity=entity,
        delegate=delegate,
        substitute=substitute,
        motivation=motivation,
        status=TableMembership.Status.REQUESTED,
    )
    audit.record(
        actor=actor,
        action="membership.request",
        obj=membership,
        ambito_id=table.ambito_id,
        reason=motivation,
    )
    notifications.notify(
        ambito_id=table.ambito_id,
        users=_table_managers(table),
        kind="tables.membership_requested",
        title=_("%(entity)s chiede di partecipare al tavolo %(table)s")
        % {"entity": entity.name, "table": table.name},
        url=reverse("tables:members", kwargs={"pk": table.pk}),
    )
    return membership


@transaction.atomic
def membership_decide(
    *, membership: TableMembership, approve: bool, reason: str, actor: User
) -> TableMembership:
    membership = (
        TableMembership.objects.select_for_update(of=("self",))
        .select_related("table", "entity")
        .get(pk=membership.pk)
    )
    if membership.status != TableMembership.Status.REQUESTED:
        raise ValidationError(_("La richiesta è già stata decisa."))
    membership.status = TableMembership.Status.ACTIVE if approve else TableMembership.Status.REFUSED
    membership.status_reason = reason
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "status_reason", "decided_at", "decided_by"])
    audit.record(
        actor=actor,
        action="membership.approve" if approve else "membership.refuse",
        obj=membership,
        changes={"status": {"before": "requested", "after": membership.status}},
        reason=reason,
        ambito_id=membership.table.ambito_id,
    )
    table = membership.table
    if approve:
        title = _("Richiesta accolta: %(entity)s partecipa al tavolo %(table)s")
    else:
        title = _("Richiesta non accolta: %(entity)s e il tavolo %(table)s")
    title = title % {
        "entity": membership.entity.name if membership.entity else "",
        "table": table.name,
    }
    admins = User.objects.filter(
        entity_memberships__entity_id=membership.entity_id,
        entity_memberships__role=EntityMembership.Role.ADMIN,
        entity_memberships__ended_at__isnull=True,
    )
    url = reverse("tables:detail", kwargs={"pk": table.pk})
    notifications.notify(
        ambito_id=table.ambito_id,
        users=[membership.delegate, membership.substitute, *admins],
        kind="tables.membership_decided",
        title=title,
        url=url,
        body=reason,
    )
    if membership.entity and membership.entity.email:
        # The entity's institutional address always receives the decision, whatever the people's preferences.
        mail.enqueue(
            "tables_membership_decision",
            {
                "membership": membership,
                "table": table,
                "approved": approve,
                "reason": reason,
                "url": absolute(url),
            },
            to=membership.entity.email,
            ambito_id=table.ambito_id,
        )
    return membership


@transaction.atomic
def membership_add(
    *, table: Table, kind: str, person: User, comune=None, motivation: str = "", actor: User
) -> TableMembership:
    """Staff add a comune's staff member or a named expert: active at once."""
    if TableMembership.objects.filter(
        table=table, delegate=person, status=TableMembership.Status.ACTIVE
    ).exists():
        raise ValidationError(_("Questa persona è già membro del tavolo."))
    membership = TableMembership.objects.create(
        table=table,
        kind=kind,
        comune=comune,
        delegate=person,
        motivation=motivation,
        status=TableMembership.Status.ACTIVE,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    audit.record(actor=actor, action="membership.add", obj=membership, ambito_id=table.ambito_id)
    notifications.notify(
        ambito_id=table.ambito_id,
        users=[person],
        kind="tables.membership_added",
        title=_("Ora fai parte del tavolo %(table)s") % {"table": table.name},
        url=table.get_absolute_url(),
    )
    return membership


def expert_user(*, email: str, first_name: str, last_name: str) -> User:
    """The account of a named expert: an existing one, or a new one without a password (the
    expert sets it with "password dimenticata" when needed)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
    return user


@transaction.atomic
def membership_leave(
    *, membership: TableMembership, actor: User, reason: str = ""
) -> TableMembership:
    membership = TableMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status not in (TableMembership.Status.ACTIVE, TableMembership.Status.REQUESTED):
        raise ValidationError(_("Questa partecipazione è già chiusa."))
    before = membership.status
    membership.status = TableMembership.Status.LEFT
    membership.left_at = timezone.now()
    membership.status_reason = reason or membership.status_reason
    membership.save(update_fields=["status", "left_at", "status_reason"])
    audit.record(
        actor=actor,
        action="membership.leave",
        obj=membership,
        changes={"status": {"before": before, "after": "left"}},
        reason=reason,
        ambito_id=membership.table.ambito_id,
    )
    return membership


# --- the record of a meeting --------------------------------------------------------------
class RecordFrozen(ValidationError):
    """A change refused because the meeting's minutes are approved: its record (meeting data,
    agenda, attendance, attachments, text of the minutes) changes only through a rettifica."""

    def __init__(self, meeting: Meeting):
        super().__init__(
            _(
                "Il verbale di questa seduta è approvato: i dati della seduta, l'ordine del "
                "giorno, le presenze, gli allegati e il testo del verbale non si possono più "
                "modificare. Per correggere un errore scrivi una rettifica del verbale: sarà "
                "approvata e pubblicata come nuova versione, e quella attuale resterà consultabile."
            )
        )
        self.meeting = meeting


def ensure_record_open(meeting: Meeting) -> None:
    """Raise RecordFrozen if the meeting's minutes are approved. Services call it with the
    meeting's row locked (lock_meeting), as approval does, so that the two never interleave."""
    if Minutes.objects.filter(meeting_id=meeting.pk, status=Minutes.Status.APPROVED).exists():
        raise RecordFrozen(meeting)


def lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting's row, locked until the end of the transaction (with its table)."""
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("table").get(pk=meeting.pk)
    )


# --- meetings -----------------------------------------------------------------------------
def validate_schedule(*, starts_at: datetime, ends_at: datetime, creating: bool) -> dict[str, str]:
    errors = {}
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = _("La fine deve essere successiva all'inizio.")
    if creating and starts_at and starts_at < timezone.now():
        errors["starts_at"] = _("Non si può convocare una seduta nel passato.")
    return errors


def _save_agenda(meeting: Meeting, items: Sequence[dict]) -> None:
    existing = {a.pk: a for a in meeting.agenda_items.all()}
    kept_ids = {item.get("id") for item in items if item.get("id")}
    for item in existing.values():
        if item.pk not in kept_ids and (item.summary or item.decisions):
            raise ValidationError(
                _(
                    "Il punto «%(title)s» ha già la sintesi o le decisioni nel verbale: non si può "
                    "togliere dall'ordine del giorno. Cancella prima il testo dal verbale."
                )
                % {"title": item.title}
            )
    keep = []
    for order, item in enumerate(items, start=1):
        obj = existing.get(item.get("id")) if item.get("id") else None
        if obj is None:
            obj = AgendaItem(meeting=meeting)
        obj.order = order
        obj.title = item["title"]
        obj.description = item.get("description", "")
        obj.save()
        keep.append(obj.pk)
    meeting.agenda_items.exclude(pk__in=keep).delete()


@transaction.atomic
def meeting_create(*, table: Table, data: dict, agenda: Sequence[dict], actor: User) -> Meeting:
    errors = validate_schedule(starts_at=data["starts_at"], ends_at=data["ends_at"], creating=True)
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(table=table, created_by=actor, **{k: data.get(k, "") for k in MEETING_FIELDS})
    meeting.full_clean()
    meeting.save()
    _save_agenda(meeting, agenda)
    audit.record(
        actor=actor,
        action="meeting.create",
        obj=meeting,
        changes=audit.diff({}, audit.snapshot(meeting, MEETING_FIELDS)),
        ambito_id=table.ambito_id,
    )
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, data: dict, agenda: Sequence[dict], actor: User) -> Meeting:
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("La seduta è annullata e non si può modificare."))
    errors = validate_schedule(starts_at=data["starts_at"], ends_at=data["ends_at"], creating=False)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(meeting, MEETING_FIELDS)
    for key in MEETING_FIELDS:
        setattr(meeting, key, data.get(key, ""))
    changes = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    schedule_changed = any(k in changes for k in SCHEDULE_FIELDS)
    if meeting.status == Meeting.Status.CONVENED and schedule_changed:
        meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    _save_agenda(meeting, agenda)
    audit.record(
        actor=actor,
        action="meeting.update",
        obj=meeting,
        changes=changes,
        ambito_id=meeting.table.ambito_id,
    )
    if meeting.status == Meeting.Status.CONVENED and schedule_changed:
        _deliver_after_commit(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User, reason: str = "") -> Meeting:
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        return meeting
    was_convened = meeting.status == Meeting.Status.CONVENED
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence"])
    audit.record(
        actor=actor,
        action="meeting.cancel",
        obj=meeting,
        reason=reason,
        ambito_id=meeting.table.ambito_id,
    )
    if was_convened:
        _deliver_after_commit(meeting)
    return meeting


@transaction.atomic
def attachment_add(*, meeting: Meeting, title: str, file, actor: User) -> MeetingAttachment:
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    attachment = MeetingAttachment(meeting=meeting, title=title, file=file, uploaded_by=actor)
    attachment.full_clean()
    attachment.save()
    audit.record(
        actor=actor,
        action="meeting.attachment_add",
        obj=meeting,
        changes={"attachment": title},
        ambito_id=meeting.table.ambito_id,
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: MeetingAttachment, actor: User) -> None:
    meeting = lock_meeting(attachment.meeting)
    ensure_record_open(meeting)
    audit.record(
        actor=actor,
        action="meeting.attachment_delete",
        obj=meeting,
        changes={"attachment": attachment.title},
        ambito_id=meeting.table.ambito_id,
    )
    attachment.file.delete(save=False)
    attachment.delete()


# --- invitations --------------------------------------------------------------------------
def member_invitees(table: Table) -> list[Invitation]:
    """One invitation per active seat: the entity's delegate, the comune's or expert's person."""
    seats = TableMembership.objects.filter(
        table=table, status=TableMembership.Status.ACTIVE
    ).select_related("delegate", "entity", "comune")
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


def parse_extra_invitees(text: str) -> list[tuple[str, str]]:
    """Lines like "Mario Rossi <mario@example.org>" or "mario@example.org" -> [(name, email)]."""
    from django.core.validators import validate_email

    result, bad = [], []
    for raw in text.splitlines():
        line = raw.strip().rstrip(",;")
        if not line:
            continue
        name, email = "", line
        if "<" in line and line.endswith(">"):
            name, email = (
                line[: line.index("<")].strip().strip('"'),
                line[line.index("<") + 1 : -1].strip(),
            )
        try:
            validate_email(email)
        except ValidationError:
            bad.append(line)
            continue
        result.append((name, email.lower()))
    if bad:
        raise ValidationError(_("Indirizzi non validi: %(lines)s") % {"lines": ", ".join(bad)})
    return result


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
        action="meeting.convene" if first_time else "meeting.invite_more",
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


def _deliver_after_commit(meeting: Meeting) -> None:
    from tables.tasks import deliver_meeting_messages

    transaction.on_commit(lambda: deliver_meeting_messages.delay(meeting.pk))


def meeting_ics(meeting: Meeting, *, method: str, attendee: str = "") -> bytes:
    return ics.build(
        [calendar_event(meeting, attendees=[attendee] if attendee else [])],
        method=method,
        name=meeting.table.name,
    )


def calendar_event(meeting: Meeting, *, attendees: Sequence[str] = ()) -> ics.CalendarEvent:
    agenda = "\n".join(f"{i}. {a.title}" for i, a in enumerate(meeting.agenda_items.all(), start=1))
    description = "\n\n".join(
        part
        for part in [
            meeting.description,
            f"{_('Ordine del giorno')}:\n{agenda}" if agenda else "",
            f"{_('Collegamento online')}: {meeting.online_url}" if meeting.online_url else "",
            absolute(meeting.get_absolute_url()),
        ]
        if part
    )
    ambito = meeting.table.ambito
    return ics.CalendarEvent(
        uid=meeting.uid,
        start=meeting.starts_at,
        end=meeting.ends_at,
        summary=f"{meeting.table.name}: {meeting.title}",
        description=description,
        location=meeting.place or meeting.online_url,
        url=absolute(meeting.get_absolute_url()),
        sequence=meeting.sequence,
        cancelled=meeting.status == Meeting.Status.CANCELLED,
        organizer_email=ambito.email or settings.DEFAULT_FROM_EMAIL,
        organizer_name=ambito.name,
        attendees=list(attendees),
    )


def _message_kind(meeting: Meeting, invitation: Invitation) -> str:
    if meeting.status == Meeting.Status.CANCELLED:
        return "cancel"
    return "update" if invitation.sent_sequence >= 0 else "invitation"


def _build_message(meeting: Meeting, invitation: Invitation, kind: str) -> OutgoingEmail:
    token = rsvp_token(invitation)
    rsvp = absolute(reverse("tables:rsvp", kwargs={"token": token}))
    method = "CANCEL" if kind == "cancel" else "REQUEST"
    context = {
        "kind": kind,
        "meeting": meeting,
        "table": meeting.table,
        "ambito": meeting.table.ambito,
        "invitation": invitation,
        "agenda": list(meeting.agenda_items.all()),
        "meeting_url": absolute(meeting.get_absolute_url()),
        "rsvp_url": rsvp,
        "rsvp_yes": f"{rsvp}?risposta=yes",
        "rsvp_no": f"{rsvp}?risposta=no",
        "rsvp_maybe": f"{rsvp}?risposta=maybe",
    }
    attachment = mail.Attachment(
        "convocazione.ics" if method == "REQUEST" else "annullamento.ics",
        meeting_ics(meeting, method=method, attendee=invitation.email),
        f"text/calendar; method={method}",
    )
    return mail.build(
        "tables_meeting",
        context,
        to=invitation.email,
        attachments=[attachment],
        reply_to=meeting.table.ambito.email,
        ambito_id=meeting.table.ambito_id,
    )


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
                (inv, _build_message(meeting, inv, _message_kind(meeting, inv))) for inv in batch
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
        action="invitation.resend",
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
        action="invitation.respond",
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
            emails = mail.enqueue_many(
                [_build_message(meeting, inv, "reminder") for inv in pending]
            )
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
        action="invitation.attendance",
        objects=changed,
        changes_for=lambda i: {"attendance": i.attendance, "delegated_to": i.delegated_to},
        ambito_id=meeting.table.ambito_id,
    )
    return len(changed)


# --- minutes ------------------------------------------------------------------------------
MINUTES_FIELDS = list(records.MINUTES_FIELDS)


@transaction.atomic
def minutes_save(*, meeting: Meeting, data: dict, items: Sequence[dict], actor: User) -> Minutes:
    meeting = lock_meeting(meeting)
    ensure_record_open(meeting)
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first() or Minutes(
        meeting=meeting
    )
    before = audit.snapshot(minutes, MINUTES_FIELDS) if minutes.pk else {}
    for key in MINUTES_FIELDS:
        setattr(minutes, key, data.get(key, ""))
    minutes.save()
    by_id = {a.pk: a for a in meeting.agenda_items.all()}
    changed = []
    for item in items:
        agenda = by_id.get(item["id"])
        if agenda is not None:
            agenda.summary, agenda.decisions = item.get("summary", ""), item.get("decisions", "")
            changed.append(agenda)
    AgendaItem.objects.bulk_update(changed, ["summary", "decisions"])
    audit.record(
        actor=actor,
        action="minutes.save",
        obj=minutes,
        changes=audit.diff(before, audit.snapshot(minutes, MINUTES_FIELDS)),
        ambito_id=meeting.table.ambito_id,
    )
    return minutes


def _member_users(table: Table) -> list[User]:
    seats = TableMembership.objects.filter(
        table=table, status=TableMembership.Status.ACTIVE
    ).select_related("delegate", "substitute")
    users = []
    for s in seats:
        users.append(s.delegate)
        if s.substitute:
            users.append(s.substitute)
    return users


@transaction.atomic
def minutes_share(*, minutes: Minutes, actor: User) -> Minutes:
    minutes = (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__table")
        .get(pk=minutes.pk)
    )
    if minutes.status != Minutes.Status.DRAFT:
        raise ValidationError(_("Solo una bozza si può condividere."))
    minutes.status = Minutes.Status.SHARED
    minutes.shared_at = timezone.now()
    minutes.save(update_fields=["status", "shared_at", "updated_at"])
    audit.record(
        actor=actor, action="minutes.share", obj=minutes, ambito_id=minutes.meeting.table.ambito_id
    )
    notifications.notify(
        users=_member_users(minutes.meeting.table),
        kind="tables.minutes_shared",
        title=_("Bozza di verbale da leggere: %(meeting)s") % {"meeting": minutes.meeting},
        url=minutes.get_absolute_url(),
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return minutes


@transaction.atomic
def minutes_comment(*, minutes: Minutes, body: str, actor: User) -> MinutesComment:
    if minutes.status != Minutes.Status.SHARED:
        raise ValidationError(
            _("Le osservazioni si possono inviare solo mentre il verbale è condiviso.")
        )
    comment = MinutesComment.objects.create(minutes=minutes, author=actor, body=body)
    table = minutes.meeting.table
    notifications.notify(
        users=[u for u in _table_managers(table) if u.pk != actor.pk],
        kind="tables.minutes_comment",
        title=_("Nuova osservazione al verbale: %(meeting)s") % {"meeting": minutes.meeting},
        url=minutes.get_absolute_url(),
        body=body[:500],
        ambito_id=table.ambito_id,
    )
    audit.record(
        actor=actor,
        action="minutes.comment",
        obj=minutes,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return comment


def _lock_minutes(minutes: Minutes) -> Minutes:
    """The minutes' row locked, after their meeting's (the order every writer of the record
    follows, so that approval and a change of the record never interleave)."""
    lock_meeting(minutes.meeting)
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__table")
        .get(pk=minutes.pk)
    )


def _frozen_record(minutes: Minutes, *, number: int, reason: str, at: datetime) -> dict:
    """The record of `minutes` as the live rows hold it now, with what the version says of
    itself (its number, date and reason, the versions it replaces)."""
    (loaded,) = records.load(Minutes, [minutes.pk])
    record = records.build(loaded)
    earlier = minutes.versions.filter(status=MinutesVersion.Status.PUBLISHED).order_by("number")
    record["version"] = {
        "number": number,
        "approved_at": at.isoformat(),
        "reason": reason,
        "replaces": [
            {"number": n, "approved_at": when.isoformat()}
            for n, when in earlier.values_list("number", "approved_at")
        ],
    }
    return record


@transaction.atomic
def minutes_approve(*, minutes: Minutes, actor: User, at: datetime | None = None) -> FileJob:
    """Approve the minutes: the meeting's record is frozen as version 1 and its PDF rendered
    from it. `at`: the date of approval (now; the demo data give earlier ones)."""
    minutes = _lock_minutes(minutes)
    if minutes.status == Minutes.Status.APPROVED:
        raise ValidationError(_("Il verbale è già approvato."))
    if not minutes.chair or not minutes.secretary:
        raise ValidationError(
            _("Indica il presidente e il segretario della seduta prima di approvare il verbale.")
        )
    at = at or timezone.now()
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at = at
    minutes.approved_by = actor
    minutes.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    version = MinutesVersion.objects.create(
        minutes=minutes,
        number=1,
        status=MinutesVersion.Status.PUBLISHED,
        record=_frozen_record(minutes, number=1, reason="", at=at),
        created_by=actor,
        approved_by=actor,
        approved_at=at,
    )
    audit.record(
        actor=actor,
        action="minutes.approve",
        obj=minutes,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    job = version_render(version=version, actor=actor)
    notifications.notify(
        users=_member_users(minutes.meeting.table),
        kind="tables.minutes_published",
        title=_("Verbale approvato e pubblicato: %(meeting)s") % {"meeting": minutes.meeting},
        url=minutes.get_absolute_url(),
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return job


# --- versions and corrections (rettifiche) --------------------------------------------------
def current_version(minutes: Minutes) -> MinutesVersion | None:
    """The published version in force: the latest."""
    return (
        minutes.versions.filter(status=MinutesVersion.Status.PUBLISHED).order_by("-number").first()
    )


def correction_draft(minutes: Minutes) -> MinutesVersion | None:
    return minutes.versions.filter(status=MinutesVersion.Status.DRAFT).first()


def _corrected(record: dict) -> dict[str, str]:
    """What a correction may change in a record, flat and labelled (for checks and the audit)."""
    flat = {name: record["minutes"][name] for name in MINUTES_FIELDS}
    for index, item in enumerate(record["agenda"], start=1):
        flat[f"{index}. {item['title']} — sintesi"] = item["summary"]
        flat[f"{index}. {item['title']} — decisioni"] = item["decisions"]
    for row in record["attendance"]:
        who = (
            f"{row['name']} ({row['entity'] or row['comune']})"
            if row["entity"] or row["comune"]
            else row["name"]
        )
        if f"presenza di {who}" in flat:  # namesakes
            who = f"{who} #{row['id']}"
        flat[f"presenza di {who}"] = row["attendance_label"]
        flat[f"delega di {who}"] = row["delegated_to"]
    return flat


@transaction.atomic
def minutes_correction_save(
    *,
    minutes: Minutes,
    reason: str,
    data: dict,
    items: Sequence[dict],
    attendance: Sequence[dict],
    actor: User,
) -> MinutesVersion:
    """Write (or go on writing) the correction of approved minutes: the corrected text of the
    minutes, discussion and decisions of each item and attendance wait in a draft version;
    nothing published and no live row changes until the correction is approved.
    items: [{"id", "summary", "decisions"}]; attendance: [{"id", "attendance", "delegated_to"}]."""
    minutes = _lock_minutes(minutes)
    if not minutes.is_approved:
        raise ValidationError(
            _("Si rettifica un verbale approvato; una bozza si corregge modificandola.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Indica il motivo della rettifica.")})
    draft = minutes.versions.select_for_update().filter(status=MinutesVersion.Status.DRAFT).first()
    current = current_version(minutes)
    base = draft.record if draft else current.record
    record = {**base, "minutes": dict(base["minutes"])}
    record.pop("version", None)
    record["minutes"].update({name: data.get(name, "") for name in MINUTES_FIELDS})
    changes = {row["id"]: row for row in items}
    record["agenda"] = [
        {**item, **{k: changes[item["id"]].get(k, "") for k in ("summary", "decisions")}}
        if item["id"] in changes
        else item
        for item in base["agenda"]
    ]
    labels = dict(Invitation.Attendance.choices)
    given = {row["id"]: row for row in attendance}
    rows = []
    for row in base["attendance"]:
        new = given.get(row["id"])
        if new is not None:
            value = new.get("attendance", "")
            if value not in labels:
                raise ValidationError(_("Presenza non valida."))
            row = {
                **row,
                "attendance": value,
                "attendance_label": str(labels[value]),
                "delegated_to": new.get("delegated_to", "")
                if value == Invitation.Attendance.DELEGATED
                else "",
            }
        rows.append(row)
    record["attendance"] = rows
    before = _corrected(draft.record if draft else current.record)
    if draft is None:
        draft = MinutesVersion(
            minutes=minutes,
            number=current.number + 1,
            status=MinutesVersion.Status.DRAFT,
            created_by=actor,
        )
    draft.reason = reason.strip()
    draft.record = record
    draft.save()
    audit.record(
        actor=actor,
        action="minutes.correction_save",
        obj=minutes,
        changes=audit.diff(before, _corrected(record)),
        reason=draft.reason,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return draft


def _apply_correction(minutes: Minutes, record: dict) -> None:
    """The live rows take the corrected values, so that every other reader (exports, the
    personal data of a person) agrees with the version in force."""
    for name in MINUTES_FIELDS:
        setattr(minutes, name, record["minutes"][name])
    minutes.save(update_fields=[*MINUTES_FIELDS, "updated_at"])
    items = {item["id"]: item for item in record["agenda"]}
    agenda = [a for a in minutes.meeting.agenda_items.all() if a.pk in items]
    for a in agenda:
        a.summary, a.decisions = items[a.pk]["summary"], items[a.pk]["decisions"]
    AgendaItem.objects.bulk_update(agenda, ["summary", "decisions"])
    rows = {row["id"]: row for row in record["attendance"]}
    invitations = [i for i in minutes.meeting.invitations.all() if i.pk in rows]
    for i in invitations:
        i.attendance, i.delegated_to = rows[i.pk]["attendance"], rows[i.pk]["delegated_to"]
    Invitation.objects.bulk_update(invitations, ["attendance", "delegated_to"])


@transaction.atomic
def minutes_correction_approve(
    *, minutes: Minutes, actor: User, at: datetime | None = None
) -> FileJob:
    """Approve the correction in preparation and publish it as the new version in force, with
    its PDF; the earlier versions stay public, unchanged."""
    minutes = _lock_minutes(minutes)
    draft = minutes.versions.select_for_update().filter(status=MinutesVersion.Status.DRAFT).first()
    if draft is None:
        raise ValidationError(_("Non c'è una rettifica in preparazione da approvare."))
    current = current_version(minutes)
    if not draft.record["minutes"]["chair"] or not draft.record["minutes"]["secretary"]:
        raise ValidationError(_("Indica il presidente e il segretario della seduta."))
    before, after = _corrected(current.record), _corrected(draft.record)
    if before == after:
        raise ValidationError(
            _(
                "La rettifica non cambia nulla rispetto alla versione in vigore: modificala o annullala."
            )
        )
    _apply_correction(minutes, draft.record)
    at = at or timezone.now()
    draft.record = _frozen_record(minutes, number=draft.number, reason=draft.reason, at=at)
    draft.status = MinutesVersion.Status.PUBLISHED
    draft.approved_by = actor
    draft.approved_at = at
    draft.save(update_fields=["record", "status", "approved_by", "approved_at"])
    audit.record(
        actor=actor,
        action="minutes.correction_approve",
        obj=minutes,
        changes=audit.diff(before, after),
        reason=draft.reason,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    job = version_render(version=draft, actor=actor)
    notifications.notify(
        users=_member_users(minutes.meeting.table),
        kind="tables.minutes_corrected",
        title=_("Rettifica del verbale pubblicata: %(meeting)s") % {"meeting": minutes.meeting},
        url=minutes.get_absolute_url(),
        body=draft.reason[:500],
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return job


@transaction.atomic
def minutes_correction_discard(*, minutes: Minutes, actor: User) -> None:
    """Drop the correction in preparation (it was never published)."""
    minutes = _lock_minutes(minutes)
    draft = minutes.versions.select_for_update().filter(status=MinutesVersion.Status.DRAFT).first()
    if draft is None:
        raise ValidationError(_("Non c'è una rettifica in preparazione."))
    audit.record(
        actor=actor,
        action="minutes.correction_discard",
        obj=minutes,
        changes={"versione": draft.number},
        reason=draft.reason,
        ambito_id=minutes.meeting.table.ambito_id,
    )
    draft.delete()


# --- PDF ----------------------------------------------------------------------------------
def version_render(*, version: MinutesVersion, actor: User | None) -> FileJob:
    """Start (or return the running) PDF job of a published version."""
    from tables.tasks import render_minutes_pdf

    if not version.is_published:
        raise ValidationError(_("Il PDF si genera solo per un verbale approvato."))
    return jobs.start(
        owner=version,
        kind=MINUTES_PDF,
        task=render_minutes_pdf,
        created_by=actor,
        label=_("verbale (PDF)") if version.number == 1 else _("rettifica del verbale (PDF)"),
    )


@transaction.atomic
def minutes_render(*, minutes: Minutes, actor: User) -> FileJob:
    """Render the PDF of the version in force again (staff's button): from its frozen record,
    so it is the same document."""
    version = current_version(minutes) if minutes.is_approved else None
    if version is None:
        raise ValidationError(_("Il PDF si genera solo per un verbale approvato."))
    job = version_render(version=version, actor=actor)
    audit.record(
        actor=actor,
        action="minutes.regenerate_pdf",
        obj=minutes,
        changes={"versione": version.number},
        ambito_id=minutes.meeting.table.ambito_id,
    )
    return job


MINUTES_PDF_TEMPLATE = "pdf/tables_minutes.html"


def minutes_pdf_context(version: MinutesVersion) -> dict:
    """What the minutes PDF template shows: the version's frozen record, nothing live (also
    measured by the benchmark, tables/bench.py)."""
    record = records.context(version.record)
    return {
        "record": record,
        "title": _("Verbale — %(meeting)s") % {"meeting": record["meeting"]["title"]},
    }


def minutes_pdf_filename(version: MinutesVersion) -> str:
    meeting = version.minutes.meeting
    date = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    suffix = f"-rettifica-{version.number - 1}" if version.is_correction else ""
    return f"verbale-{meeting.table.slug}-{date}{suffix}.pdf"


def minutes_pdf_bytes(version: MinutesVersion) -> tuple[str, bytes]:
    from core import pdf

    content = pdf.render_pdf(MINUTES_PDF_TEMPLATE, minutes_pdf_context(version))
    return minutes_pdf_filename(version), content


@transaction.atomic
def table_archive(*, table: Table, actor: User, archived: bool = True) -> Table:
    """Archive a table (hidden from the list, no new requests; history and minutes stay public)
    or bring it back."""
    before = table.archived_at
    table.archived_at = timezone.now() if archived else None
    table.save(update_fields=["archived_at"])
    audit.record(
        actor=actor,
        action="table.archive" if archived else "table.unarchive",
        obj=table,
        changes={"archived_at": {"before": before, "after": table.archived_at}},
        ambito_id=table.ambito_id,
    )
    return table
