"""State changes of tables and their seats: create, disclose, archive; request, decide, add, leave."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, mail, notifications
from core.models import User
from entities.models import Entity, EntityMembership
from tables.calendar import absolute
from tables.models import (
    Table,
    TableMembership,
)
from tables.selectors import entity_people, table_managers


# --- tables -------------------------------------------------------------------------------
@transaction.atomic
def table_save(*, form, actor: User, ambito=None) -> Table:
    """Create (ambito given) or update a table from a validated TableForm."""
    table = form.instance
    creating = table.pk is None
    before = (
        {} if creating else audit.snapshot(Table.objects.get(pk=table.pk), Table.EDITABLE_FIELDS)
    )
    if creating:
        table.ambito = ambito
    table = form.save()
    after = audit.snapshot(table, Table.EDITABLE_FIELDS)
    audit.record(
        actor=actor,
        action="tables.table.created" if creating else "tables.table.updated",
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
        action="tables.table.created",
        obj=table,
        changes=audit.diff({}, audit.snapshot(table, [*Table.EDITABLE_FIELDS, "reserved"])),
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
        action="tables.table.disclosed",
        obj=table,
        changes={"disclosed_at": table.disclosed_at},
        reason=reason,
        ambito_id=table.ambito_id,
    )
    return table


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
        action="tables.membership.requested",
        obj=membership,
        ambito_id=table.ambito_id,
        reason=motivation,
    )
    notifications.notify(
        ambito_id=table.ambito_id,
        users=table_managers(table),
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
        action="tables.membership.approved" if approve else "tables.membership.refused",
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
        EntityMembership.current_q("entity_memberships__"),
        entity_memberships__entity_id=membership.entity_id,
        entity_memberships__role=EntityMembership.Role.ADMIN,
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
    if TableMembership.objects.current().filter(table=table, delegate=person).exists():
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
    audit.record(
        actor=actor, action="tables.membership.added", obj=membership, ambito_id=table.ambito_id
    )
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
        action="tables.membership.left",
        obj=membership,
        changes={"status": {"before": before, "after": "left"}},
        reason=reason,
        ambito_id=membership.table.ambito_id,
    )
    return membership


@transaction.atomic
def table_archive(*, table: Table, actor: User, archived: bool = True) -> Table:
    """Archive a table (hidden from the list, no new requests; history and minutes stay public)
    or bring it back."""
    before = table.archived_at
    table.archived_at = timezone.now() if archived else None
    table.save(update_fields=["archived_at"])
    audit.record(
        actor=actor,
        action="tables.table.archived" if archived else "tables.table.unarchived",
        obj=table,
        changes={"archived_at": {"before": before, "after": table.archived_at}},
        ambito_id=table.ambito_id,
    )
    return table
