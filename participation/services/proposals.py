"""Proposals: submit (as a member of a table or procedure, or as a citizen to the ambito), support,
comment, answer. Every change is audited; authors are notified. Moderation: services/moderation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambito.models import Ambito, Comune, StaffRole
from core import audit
from core.notifications import notify
from core.uploads import safe_filename
from entities.models import TargetGroup
from participation import permissions
from participation.models import Proposal, ProposalAttachment, ProposalComment, ProposalSupport
from processes.models import Application, Procedure
from tables.models import Table, TableMembership

AUDIT_FIELDS = (
    "title",
    "text",
    "area",
    "target_groups",
    "comuni",
    "status",
    "answer",
    "is_public",
)


def _ufficio_di_piano(ambito_id: int):
    from core.models import User

    return User.objects.filter(
        staff_roles__ambito_id=ambito_id,
        staff_roles__role__in=[StaffRole.Role.COORDINATOR, StaffRole.Role.OPERATOR],
    ).distinct()


def _entity_for(user, *, table: Table | None, procedure: Procedure | None):
    """The entity the author speaks for, when there is one."""
    if table is not None:
        membership = (
            TableMembership.objects.current(user)
            .filter(table=table)
            .select_related("entity")
            .first()
        )
        return membership.entity if membership else None
    application = (
        Application.objects.filter(
            procedure=procedure,
            entity_id__in=permissions.member_entity_ids(user),
            status__in=permissions.CODESIGN_APPLICATION_STATES,
        )
        .select_related("entity")
        .first()
    )
    return application.entity if application else None


@transaction.atomic
def proposal_submit(
    *,
    author,
    title: str,
    text: str,
    table: Table | None = None,
    procedure: Procedure | None = None,
    ambito: Ambito | None = None,
    public: bool = False,
    area: TargetGroup | None = None,
    target_groups: Iterable[TargetGroup] = (),
    comuni: Iterable[Comune] = (),
    files: Sequence[UploadedFile] = (),
) -> Proposal:
    """A member's proposal to their table or procedure; or, given `ambito`, a citizen's proposal
    to the ambito (optionally to one of its public tables), public if `public`."""
    if ambito is not None:
        if procedure is not None:
            raise ValueError("a citizen's proposal goes to the ambito or one of its public tables")
        if not permissions.can_propose_to_ambito(author, ambito):
            raise PermissionDenied
        if (
            table is not None
            and not permissions.citizen_tables(ambito).filter(pk=table.pk).exists()
        ):
            raise ValidationError({"table": _("Scegli un tavolo pubblico dell'ambito.")})
        entity = None
    else:
        if (table is None) == (procedure is None):
            raise ValueError("a proposal belongs to exactly one table or procedure")
        if not permissions.can_propose(author, table=table, procedure=procedure):
            raise PermissionDenied
        entity = _entity_for(author, table=table, procedure=procedure)
    proposal = Proposal(
        ambito_id=ambito.pk if ambito is not None else (table or procedure).ambito_id,
        table=table,
        procedure=procedure,
        author=author,
        entity=entity,
        title=title,
        text=text,
        area=area,
        is_public=public,
        by_citizen=ambito is not None,
    )
    proposal.full_clean()
    proposal.save()
    proposal.target_groups.set(target_groups)
    proposal.comuni.set(comuni)
    for f in files:
        attachment_add(proposal=proposal, file=f, by=author, audit_it=False)
    audit.record(
        actor=author,
        action="participation.proposal.submitted",
        obj=proposal,
        changes=audit.diff({}, audit.snapshot(proposal, AUDIT_FIELDS)),
        ambito_id=proposal.ambito_id,
    )
    if ambito is not None:
        notify(
            ambito_id=proposal.ambito_id,
            users=[u for u in _ufficio_di_piano(ambito.pk) if u.pk != author.pk],
            kind="participation.proposal_submitted",
            title=_("Nuova proposta di un cittadino: %(title)s") % {"title": title},
            url=proposal.get_absolute_url(),
        )
    elif table is not None:
        notify(
            ambito_id=proposal.ambito_id,
            users=[u for u in table.coordinators.all() if u.pk != author.pk],
            kind="participation.proposal_submitted",
            title=_("Nuova proposta al tavolo %(table)s: %(title)s")
            % {"table": table.name, "title": title},
            url=proposal.get_absolute_url(),
        )
    return proposal


def attachment_add(
    *, proposal: Proposal, file: UploadedFile, by, audit_it: bool = True
) -> ProposalAttachment:
    attachment = ProposalAttachment(
        proposal=proposal,
        file=file,
        name=safe_filename(file.name),
        size=file.size or 0,
        uploaded_by=by,
    )
    attachment.full_clean(exclude=["proposal"])
    attachment.save()
    if audit_it:
        audit.record(
            actor=by,
            action="participation.proposal.attachment_added",
            obj=proposal,
            changes={"file": attachment.name},
            ambito_id=proposal.ambito_id,
        )
    return attachment


@transaction.atomic
def proposal_support(*, proposal: Proposal, user, support: bool = True) -> bool:
    """Add (or withdraw) the user's support. Returns whether the user now supports it."""
    if not permissions.proposal_policy.can_support(user, proposal):
        raise PermissionDenied
    if support:
        try:
            with transaction.atomic():
                ProposalSupport.objects.create(proposal=proposal, user=user)
        except IntegrityError:
            return True  # already supported: one support per user
        audit.record(
            actor=user,
            action="participation.proposal.supported",
            obj=proposal,
            ambito_id=proposal.ambito_id,
        )
        return True
    deleted, _rows = ProposalSupport.objects.filter(proposal=proposal, user=user).delete()
    if deleted:
        audit.record(
            actor=user,
            action="participation.proposal.unsupported",
            obj=proposal,
            ambito_id=proposal.ambito_id,
        )
    return False


@transaction.atomic
def proposal_comment(*, proposal: Proposal, author, text: str) -> ProposalComment:
    if not permissions.proposal_policy.can_comment(author, proposal):
        raise PermissionDenied
    comment = ProposalComment(proposal=proposal, author=author, text=text.strip())
    comment.full_clean()
    comment.save()
    audit.record(
        actor=author,
        action="participation.proposal.commented",
        obj=proposal,
        changes={"comment": comment.pk},
        ambito_id=proposal.ambito_id,
    )
    if proposal.author_id != author.pk:
        notify(
            ambito_id=proposal.ambito_id,
            users=[proposal.author],
            kind="participation.proposal_comment",
            title=_("Nuovo commento alla tua proposta «%(title)s»") % {"title": proposal.title},
            url=proposal.get_absolute_url() + f"#commento-{comment.pk}",
            body=comment.text[:500],
        )
    return comment


@transaction.atomic
def proposal_answer(*, proposal: Proposal, by, status: str, answer: str) -> Proposal:
    """The official answer of the Ufficio di Piano; the author is notified."""
    if not permissions.proposal_policy.can_change(by, proposal):
        raise PermissionDenied
    if status not in (
        Proposal.Status.UNDER_STUDY,
        Proposal.Status.ACCEPTED,
        Proposal.Status.NOT_ACCEPTED,
    ):
        raise ValidationError({"status": _("Scegli l'esito della valutazione.")})
    if not answer.strip():
        raise ValidationError({"answer": _("Scrivi la motivazione della risposta.")})
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    before = audit.snapshot(proposal, ("status", "answer"))
    proposal.status = status
    proposal.answer = answer.strip()
    proposal.answered_at = timezone.now()
    proposal.answered_by = by
    proposal.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    audit.record(
        actor=by,
        action="participation.proposal.answered",
        obj=proposal,
        changes=audit.diff(before, audit.snapshot(proposal, ("status", "answer"))),
        ambito_id=proposal.ambito_id,
    )
    notify(
        ambito_id=proposal.ambito_id,
        users=[proposal.author],
        kind="participation.proposal_answered",
        title=_("Risposta alla tua proposta «%(title)s»: %(status)s")
        % {"title": proposal.title, "status": proposal.get_status_display()},
        url=proposal.get_absolute_url(),
        body=proposal.answer[:1000],
    )
    return proposal
