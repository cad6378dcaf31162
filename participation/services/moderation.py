"""Moderation of public proposals and their comments by the ambito's Ufficio di Piano: hidden with
a reason (shown in place of the text), restored. Audited; the author is notified."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.notifications import notify
from participation import permissions
from participation.models import Proposal, ProposalComment
from participation.models.proposals import Moderated

REASON_MAX = 500


def _check(by, proposal: Proposal) -> None:
    if not permissions.can_moderate(by, proposal):
        raise PermissionDenied


def _hide(row: Moderated, *, by, reason: str) -> bool:
    """Hide `row` (locked); False when it already was."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Scrivi il motivo: è mostrato al posto del testo.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Al massimo 500 caratteri.")})
    if row.hidden_at is not None:
        return False
    row.hidden_at, row.hidden_by, row.hidden_reason = timezone.now(), by, reason
    row.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return True


def _restore(row: Moderated) -> str:
    """Show `row` again; the reason it was hidden for ("" when it was not hidden)."""
    reason = row.hidden_reason
    if row.hidden_at is None:
        return ""
    row.hidden_at, row.hidden_by, row.hidden_reason = None, None, ""
    row.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return reason


def _record(by, action: str, proposal: Proposal, reason: str, changes: dict | None = None):
    audit.record(
        actor=by,
        action=action,
        obj=proposal,
        changes=changes,
        reason=reason,
        ambito_id=proposal.ambito_id,
    )


@transaction.atomic
def proposal_hide(*, proposal: Proposal, by, reason: str) -> Proposal:
    _check(by, proposal)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if _hide(proposal, by=by, reason=reason):
        _record(by, "participation.proposal.hidden", proposal, proposal.hidden_reason)
        notify(
            ambito_id=proposal.ambito_id,
            users=[proposal.author],
            kind="participation.proposal_hidden",
            title=_("La tua proposta «%(title)s» è stata nascosta dalla moderazione")
            % {"title": proposal.title},
            url=proposal.get_absolute_url(),
            body=_("Motivo: %(reason)s") % {"reason": proposal.hidden_reason},
        )
    return proposal


@transaction.atomic
def proposal_restore(*, proposal: Proposal, by) -> Proposal:
    _check(by, proposal)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if reason := _restore(proposal):
        _record(by, "participation.proposal.restored", proposal, reason)
        notify(
            ambito_id=proposal.ambito_id,
            users=[proposal.author],
            kind="participation.proposal_restored",
            title=_("La tua proposta «%(title)s» è di nuovo visibile") % {"title": proposal.title},
            url=proposal.get_absolute_url(),
        )
    return proposal


@transaction.atomic
def comment_hide(*, comment: ProposalComment, by, reason: str) -> ProposalComment:
    proposal = comment.proposal
    _check(by, proposal)
    comment = ProposalComment.objects.select_for_update().get(pk=comment.pk)
    if _hide(comment, by=by, reason=reason):
        _record(
            by,
            "participation.proposal.comment_hidden",
            proposal,
            comment.hidden_reason,
            {"comment": comment.pk},
        )
        notify(
            ambito_id=proposal.ambito_id,
            users=[comment.author],
            kind="participation.comment_hidden",
            title=_("Il tuo commento alla proposta «%(title)s» è stato nascosto dalla moderazione")
            % {"title": proposal.title},
            url=f"{proposal.get_absolute_url()}#commento-{comment.pk}",
            body=_("Motivo: %(reason)s") % {"reason": comment.hidden_reason},
        )
    return comment


@transaction.atomic
def comment_restore(*, comment: ProposalComment, by) -> ProposalComment:
    proposal = comment.proposal
    _check(by, proposal)
    comment = ProposalComment.objects.select_for_update().get(pk=comment.pk)
    if reason := _restore(comment):
        _record(
            by,
            "participation.proposal.comment_restored",
            proposal,
            reason,
            {"comment": comment.pk},
        )
        notify(
            ambito_id=proposal.ambito_id,
            users=[comment.author],
            kind="participation.comment_restored",
            title=_("Il tuo commento alla proposta «%(title)s» è di nuovo visibile")
            % {"title": proposal.title},
            url=f"{proposal.get_absolute_url()}#commento-{comment.pk}",
        )
    return comment
