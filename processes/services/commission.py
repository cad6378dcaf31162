"""The evaluation commission, conflict declarations, scores and the ranking."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.notifications import notify
from processes import workflow
from processes.models import (
    Application,
    ApplicationStatus,
    CommissionMember,
    Procedure,
    Score,
)
from processes.selectors import commission_ties, ranking, submitted_applications, ties


# --- commission and scores ------------------------------------------------------------------
@transaction.atomic
def commission_member_add(*, procedure: Procedure, actor, user, role: str) -> CommissionMember:
    """Seat `user` on the commission, unless they are tied to an applicant (conflict of
    interest: art. 6-bis L. 241/1990, art. 7 D.P.R. 62/2013)."""
    if procedure.commission.filter(user=user).exists():
        raise ValidationError({"user": _("Questa persona fa già parte della commissione.")})
    reasons = sorted(set(ties([user.pk], submitted_applications(procedure)).values()))
    if reasons:
        raise ValidationError(
            {
                "user": _(
                    "%(person)s non può far parte della commissione per conflitto di interessi "
                    "(art. 6-bis L. 241/1990): %(reasons)s."
                )
                % {"person": user.display_name, "reasons": "; ".join(reasons)}
            }
        )
    member = CommissionMember.objects.create(procedure=procedure, user=user, role=role)
    audit.record(
        actor=actor,
        action="processes.commission_member.added",
        obj=procedure,
        changes={"member": str(user), "role": role},
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=[user],
        kind="processes.commission",
        title=_("Sei nella commissione di valutazione di «%(t)s»") % {"t": procedure.title},
        url=reverse("processes:commission", kwargs={"pk": procedure.pk}),
        body=_("Prima di vedere le domande dichiara l'assenza di conflitti di interesse."),
    )
    return member


@transaction.atomic
def commission_member_remove(*, member: CommissionMember, actor) -> None:
    if member.scores.exists():
        raise ValidationError(
            _("Questo commissario ha già assegnato punteggi: non si può rimuovere.")
        )
    procedure = member.procedure
    audit.record(
        actor=actor,
        action="processes.commission_member.removed",
        obj=procedure,
        changes={"member": str(member.user)},
        ambito_id=procedure.ambito_id,
    )
    member.delete()


@transaction.atomic
def commission_exclusions_record(*, procedure: Procedure) -> int:
    """Record (audit, and tell the RUP and the member) each commissioner excluded from an
    application for a tie that arose after the seating: an application presented by, led by or
    joined by an entity of theirs, or a change of an entity's people. Once per member and
    application; the exclusion itself is enforced by processes.permissions whenever the tie
    exists, recorded or not."""
    tied = commission_ties(procedure)
    if not tied:
        return 0
    from django.contrib.contenttypes.models import ContentType

    from core.models import AuditEvent

    done = {
        (e.object_id, e.changes.get("application"))
        for e in AuditEvent.objects.filter(
            action="processes.commission_member.excluded",
            content_type=ContentType.objects.get_for_model(CommissionMember),
            object_id__in=[str(pk) for pk in tied],
        ).only("object_id", "changes")
    }
    members = {m.pk: m for m in procedure.commission.select_related("user")}
    names = dict(
        procedure.applications.filter(
            pk__in={a for apps in tied.values() for a in apps}
        ).values_list("pk", "entity__name")
    )
    recorded = 0
    for member_pk, applications in tied.items():
        member = members[member_pk]
        for application_pk, reason in applications.items():
            if (str(member_pk), application_pk) in done:
                continue
            audit.record(
                actor=None,
                action="processes.commission_member.excluded",
                obj=member,
                changes={"application": application_pk, "entity": names[application_pk]},
                reason=reason,
                ambito_id=procedure.ambito_id,
            )
            recorded += 1
            title = _(
                "Conflitto di interessi: %(m)s escluso dalla valutazione della domanda di %(e)s"
            ) % {"m": member.user.display_name, "e": names[application_pk]}
            url = reverse("processes:commission", kwargs={"pk": procedure.pk})
            notify(
                ambito_id=procedure.ambito_id,
                users=[u for u in (procedure.rup, member.user) if u is not None],
                kind="processes.commission_member.excluded",
                title=title,
                url=url,
                body=reason,
            )
    return recorded


@transaction.atomic
def commission_declare(*, member: CommissionMember, actor) -> CommissionMember:
    if member.user_id != actor.pk:
        raise ValidationError(_("Ciascun commissario dichiara per sé."))
    commission_exclusions_record(procedure=member.procedure)
    if member.declared_at is None:
        member.declared_at = timezone.now()
        member.save(update_fields=["declared_at"])
        audit.record(
            actor=actor,
            action="processes.commission_member.conflict_declared",
            obj=member.procedure,
            changes={"member": str(member.user)},
            reason=_(
                "Dichiara l'assenza di conflitti di interesse con gli enti che hanno presentato domanda."
            ),
            ambito_id=member.procedure.ambito_id,
        )
    return member


@transaction.atomic
def scores_save(
    *, member: CommissionMember, application: Application, values: dict[int, tuple[Decimal, str]]
) -> int:
    application = Application.objects.select_related("procedure").get(pk=application.pk)
    procedure = application.procedure
    if procedure.status != workflow.EVALUATION:
        raise ValidationError(_("I punteggi si assegnano durante la valutazione."))
    if member.declared_at is None or not member.scores_applications:
        raise ValidationError(_("Prima dichiara l'assenza di conflitti di interesse."))
    if application.status != ApplicationStatus.ADMITTED:
        raise ValidationError(_("Si valutano solo le domande ammesse."))
    tie = ties([member.user_id], submitted_applications(procedure).filter(pk=application.pk))
    if tie:
        raise ValidationError(
            _("Non puoi valutare questa domanda per conflitto di interessi: %(reason)s.")
            % {"reason": next(iter(tie.values()))}
        )
    criteria = {c.pk: c for c in procedure.current_notice.criteria.all()}
    saved = 0
    for criterion_id, (value, note) in values.items():
        if criterion_id not in criteria:
            continue
        Score.objects.update_or_create(
            application=application,
            criterion_id=criterion_id,
            member=member,
            defaults={"value": value, "note": note},
        )
        saved += 1
    audit.record(
        actor=member.user,
        action="processes.scores.saved",
        obj=application,
        changes={criteria[k].name: str(v[0]) for k, v in values.items() if k in criteria},
        ambito_id=procedure.ambito_id,
    )
    return saved


@transaction.atomic
def ranking_apply(*, procedure: Procedure, actor) -> None:
    """Store the weighted totals and ranks of the admitted applications (those under the
    threshold were excluded before, through the art. 10-bis notice: see workflow). Once: the
    approved ranking is an act and never changes."""
    if procedure.applications.filter(rank__isnull=False).exists():
        raise ValidationError(
            _("La graduatoria è già approvata e pubblicata: non si ricalcola né si modifica.")
        )
    for position, (application, total) in enumerate(ranking(procedure), start=1):
        application.total_score, application.rank = total, position
        application.save(update_fields=["total_score", "rank", "updated_at"])
        audit.record(
            actor=actor,
            action="processes.application.ranked",
            obj=application,
            changes={"total_score": str(total), "rank": position},
            ambito_id=procedure.ambito_id,
        )
