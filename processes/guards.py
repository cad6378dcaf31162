"""The guards of the state machine (processes.workflow): why a move is refused now.

Each guard reads the procedure's rows and returns "" when the move is allowed, else the reason
(Italian, for the user). A move names its guards; `refusal` checks them in order."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from processes import workflow
from processes.models import Procedure
from processes.models.states import (
    CANCELLED,
    PENDING_APPLICATION_STATUSES,
    ApplicationStatus,
    is_terminal,
    state_label,
)
from processes.selectors.scoring import missing_scores, ranking


def _notice_published(procedure: Procedure) -> str:
    if procedure.current_notice is None:
        return str(_("Prima si pubblica l'avviso."))
    return ""


def _deadline_passed(procedure: Procedure) -> str:
    deadline = procedure.effective_deadline
    if deadline is None:
        return str(_("L'avviso non ha un termine per le domande."))
    if timezone.now() <= deadline:
        return str(
            _("Il termine per le domande (%(deadline)s) non è ancora scaduto.")
            % {"deadline": timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M")}
        )
    return ""


def _all_decided(procedure: Procedure) -> str:
    pending = procedure.applications.filter(status__in=PENDING_APPLICATION_STATUSES).count()
    if pending:
        return str(
            ngettext(
                "%(n)d domanda attende ancora la decisione sull'ammissione.",
                "%(n)d domande attendono ancora la decisione sull'ammissione.",
                pending,
            )
            % {"n": pending}
        )
    return ""


def _exclusions_concluded(procedure: Procedure) -> str:
    """Nobody is left out of the ranking without the art. 10-bis notice: an application scored
    under the threshold is excluded only through it, and every notice must be concluded."""
    open_notices = procedure.applications.filter(status=ApplicationStatus.PRE_REJECTION).count()
    if open_notices:
        return str(
            ngettext(
                "%(n)d comunicazione dei motivi ostativi (art. 10-bis) attende la conclusione.",
                "%(n)d comunicazioni dei motivi ostativi (art. 10-bis) attendono la conclusione.",
                open_notices,
            )
            % {"n": open_notices}
        )
    notice = procedure.current_notice
    threshold = notice.admission_threshold if notice else None
    if threshold is None:
        return ""
    below = sum(1 for _application, total in ranking(procedure) if total < threshold)
    if below:
        return str(
            ngettext(
                "%(n)d domanda è sotto la soglia di ammissione: prima comunica i motivi "
                "ostativi (art. 10-bis) e concludi l'esclusione.",
                "%(n)d domande sono sotto la soglia di ammissione: prima comunica i motivi "
                "ostativi (art. 10-bis) e concludi l'esclusione.",
                below,
            )
            % {"n": below}
        )
    return ""


def _scoring_complete(procedure: Procedure) -> str:
    members = procedure.commission.all()
    if not members:
        return str(_("Manca la commissione di valutazione."))
    if any(m.declared_at is None for m in members):
        return str(
            _("Non tutti i commissari hanno dichiarato l'assenza di conflitti di interesse.")
        )
    if not procedure.current_notice or not procedure.current_notice.criteria.exists():
        return str(_("L'avviso non ha criteri di valutazione."))
    missing = missing_scores(procedure)
    if missing:
        return str(
            ngettext(
                "Manca %(n)d punteggio da assegnare.",
                "Mancano %(n)d punteggi da assegnare.",
                missing,
            )
            % {"n": missing}
        )
    return ""


def _has_table(procedure: Procedure) -> str:  # co-programmazione: the open table of the procedure
    if not procedure.tables.exists():
        return str(_("Collega almeno un tavolo al procedimento."))
    return ""


def _has_document(kind: str, message) -> Callable[[Procedure], str]:
    def guard(procedure: Procedure) -> str:
        if not procedure.documents.filter(kind=kind).exists():
            return str(message)
        return ""

    return guard


def _has_agreement(procedure: Procedure) -> str:
    if not hasattr(procedure, "agreement"):
        return str(_("Registra prima la convenzione firmata."))
    return ""


GUARDS: dict[str, Callable[[Procedure], str]] = {
    "notice_published": _notice_published,
    "deadline_passed": _deadline_passed,
    "all_decided": _all_decided,
    "exclusions_concluded": _exclusions_concluded,
    "scoring_complete": _scoring_complete,
    "has_table": _has_table,
    "has_sintesi": _has_document("sintesi", _("Carica prima il documento di sintesi.")),
    "has_final_project": _has_document(
        "final_project", _("Carica prima il progetto definitivo con il suo piano economico.")
    ),
    "has_approval": _has_document("approval", _("Carica prima l'atto di approvazione.")),
    "has_agreement": _has_agreement,
}


def move_refusal(procedure: Procedure, move: workflow.Move) -> str:
    """Why `move` is refused for `procedure` now ("" when its guards all hold)."""
    for name in move.guards:
        reason = GUARDS[name](procedure)
        if reason:
            return reason
    return ""


def refusal(procedure: Procedure, target: str) -> str:
    """Why `procedure` cannot move to `target` now ("" when it can)."""
    if target == CANCELLED:
        return str(_("Il procedimento è già concluso.")) if is_terminal(procedure.status) else ""
    move = workflow.find_move(procedure.kind, procedure.status, target)
    if move is None:
        return str(
            _("Da «%(source)s» non si può passare a «%(target)s».")
            % {"source": state_label(procedure.status), "target": state_label(target)}
        )
    return move_refusal(procedure, move)
