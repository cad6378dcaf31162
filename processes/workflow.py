"""The state machine of each kind of procedure: a declarative table of states and moves.

Each move names its source and target state, the label of the button that performs it, and the
guard that must hold (a function returning the reason why the move is refused, or "" when it is
allowed). `processes.services.procedure_transition` is the only place that applies a move."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

CANCELLED = "cancelled"
CLOSED = "closed"
STARTED = "started"
NOTICE_PUBLISHED = "notice_published"
ADMISSION = "admission"
EVALUATION = "evaluation"
RANKING_PUBLISHED = "ranking_published"

STATE_LABELS = {
    "draft": _("Avviato"),
    STARTED: _("Avviato"),
    NOTICE_PUBLISHED: _("Avviso pubblicato: domande aperte"),
    ADMISSION: _("Verifica dei requisiti e istruttoria"),
    EVALUATION: _("Valutazione della commissione"),
    RANKING_PUBLISHED: _("Ammessi pubblicati"),
    "table": _("Tavolo: sessioni di lavoro"),
    "codesign": _("Tavolo di co-progettazione"),
    "outcome": _("Documento di sintesi pubblicato"),
    "final_project": _("Progetto definitivo"),
    "approved": _("Approvato"),
    "execution": _("Convenzione firmata: esecuzione e rendicontazione"),
    CLOSED: _("Chiuso"),
    CANCELLED: _("Annullato"),
}

# Labels that read differently for one kind of procedure.
KIND_STATE_LABELS = {
    ("accreditamento", NOTICE_PUBLISHED): _("Elenco aperto: domande e ammissioni in ogni momento"),
    ("accreditamento", CLOSED): _("Elenco chiuso"),
}

Guard = Callable[["object"], str]


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    label: object  # lazy translation
    guard: Guard = field(default=lambda procedure: "")
    # Moves done by a dedicated service (publishing the notice) are not offered as a button.
    manual: bool = True


# --- guards: return "" when the move is allowed, else the reason (Italian, for the user) -----
def _notice_published(procedure) -> str:
    if procedure.current_notice is None:
        return str(_("Prima si pubblica l'avviso."))
    return ""


def _deadline_passed(procedure) -> str:
    deadline = procedure.effective_deadline
    if deadline is None:
        return str(_("L'avviso non ha un termine per le domande."))
    if timezone.now() <= deadline:
        return str(
            _("Il termine per le domande (%(deadline)s) non è ancora scaduto.")
            % {"deadline": timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M")}
        )
    return ""


def _all_decided(procedure) -> str:
    pending = procedure.applications.filter(
        status__in=["submitted", "integration", "pre_rejection"]
    ).count()
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


def _exclusions_concluded(procedure) -> str:
    """Nobody is left out of the ranking without the art. 10-bis notice: an application scored
    under the threshold is excluded only through it, and every notice must be concluded."""
    from processes.selectors import ranking

    open_notices = procedure.applications.filter(status="pre_rejection").count()
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


def _scoring_complete(procedure) -> str:
    from processes.selectors import missing_scores

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


def _has_table(procedure) -> str:  # co-programmazione: the open table of the procedure
    if not procedure.tables.exists():
        return str(_("Collega almeno un tavolo al procedimento."))
    return ""


def _has_document(kind: str, message) -> Guard:
    def guard(procedure) -> str:
        if not procedure.documents.filter(kind=kind).exists():
            return str(message)
        return ""

    return guard


def _has_agreement(procedure) -> str:
    if not hasattr(procedure, "agreement"):
        return str(_("Registra prima la convenzione firmata."))
    return ""


def _both(*guards: Guard) -> Guard:
    def guard(procedure) -> str:
        for g in guards:
            reason = g(procedure)
            if reason:
                return reason
        return ""

    return guard


_SINTESI = _has_document("sintesi", _("Carica prima il documento di sintesi."))
_FINAL = _has_document(
    "final_project", _("Carica prima il progetto definitivo con il suo piano economico.")
)
_APPROVAL = _has_document("approval", _("Carica prima l'atto di approvazione."))

_PUBLISH = Move(STARTED, NOTICE_PUBLISHED, _("Pubblica l'avviso"), _notice_published, manual=False)
_CLOSE_APPLICATIONS = Move(
    NOTICE_PUBLISHED, ADMISSION, _("Chiudi le domande e avvia l'istruttoria"), _deadline_passed
)

MOVES: dict[str, list[Move]] = {
    "coprogrammazione": [
        _PUBLISH,
        _CLOSE_APPLICATIONS,
        Move(
            ADMISSION,
            "table",
            _("Pubblica ammessi ed esclusi e avvia il tavolo"),
            _both(_all_decided, _has_table),
        ),
        Move("table", "outcome", _("Pubblica il documento di sintesi"), _SINTESI),
        Move("outcome", CLOSED, _("Chiudi il procedimento")),
    ],
    "coprogettazione": [
        _PUBLISH,
        _CLOSE_APPLICATIONS,
        Move(ADMISSION, EVALUATION, _("Chiudi l'istruttoria e avvia la valutazione"), _all_decided),
        # The admitted are seated at a table reserved to them (services._seat_admitted).
        Move(
            EVALUATION,
            RANKING_PUBLISHED,
            _("Approva la graduatoria e pubblica gli ammessi"),
            _both(_scoring_complete, _exclusions_concluded),
        ),
        Move(RANKING_PUBLISHED, "codesign", _("Avvia il tavolo di co-progettazione")),
        Move("codesign", "final_project", _("Registra il progetto definitivo"), _FINAL),
        Move("final_project", "approved", _("Registra l'approvazione"), _APPROVAL),
        Move(
            "approved", "execution", _("Avvia l'esecuzione (convenzione firmata)"), _has_agreement
        ),
        Move("execution", CLOSED, _("Chiudi il procedimento")),
    ],
    # An open list (art. 55 c. 4): while the avviso is published entities apply at any time and
    # each is admitted (or, after the art. 10-bis notice, excluded) as it comes; closing the list
    # ends both.
    "accreditamento": [
        _PUBLISH,
        Move(NOTICE_PUBLISHED, CLOSED, _("Chiudi l'elenco"), _all_decided),
    ],
    "convenzione_56": [
        _PUBLISH,
        _CLOSE_APPLICATIONS,
        Move(
            ADMISSION,
            EVALUATION,
            _("Chiudi l'istruttoria e avvia la valutazione comparativa"),
            _all_decided,
        ),
        Move(
            EVALUATION,
            RANKING_PUBLISHED,
            _("Approva la graduatoria e pubblica gli ammessi"),
            _both(_scoring_complete, _exclusions_concluded),
        ),
        Move(
            RANKING_PUBLISHED,
            "execution",
            _("Avvia l'esecuzione (convenzione firmata)"),
            _has_agreement,
        ),
        Move("execution", CLOSED, _("Chiudi il procedimento")),
    ],
}


# The state in which each kind publishes its outcome: from then on the records of a table
# reserved to the procedure are public too.
OUTCOME_OF = {"coprogettazione": "approved"}


def states_of(kind: str) -> list[str]:
    """The states of `kind` in order (cancelled last)."""
    states = [STARTED]
    for move in MOVES[kind]:
        if move.target not in states:
            states.append(move.target)
    return [*states, CANCELLED]


def label(state: str, kind: str = "") -> str:
    return str(KIND_STATE_LABELS.get((kind, state)) or STATE_LABELS.get(state, state))


def moves_from(kind: str, state: str) -> list[Move]:
    return [m for m in MOVES.get(kind, []) if m.source == state]


def find_move(kind: str, source: str, target: str) -> Move | None:
    return next((m for m in moves_from(kind, source) if m.target == target), None)


def is_terminal(state: str) -> bool:
    return state in (CLOSED, CANCELLED)


def refusal(procedure, target: str) -> str:
    """Why `procedure` cannot move to `target` now ("" when it can)."""
    if target == CANCELLED:
        return str(_("Il procedimento è già concluso.")) if is_terminal(procedure.status) else ""
    move = find_move(procedure.kind, procedure.status, target)
    if move is None:
        return str(
            _("Da «%(source)s» non si può passare a «%(target)s».")
            % {"source": label(procedure.status), "target": label(target)}
        )
    return move.guard(procedure)


def has_reached(procedure, state: str) -> bool:
    """True when `procedure` is at `state` or past it in its kind's order (not when cancelled
    before it)."""
    order = states_of(procedure.kind)
    if state not in order or procedure.status not in order:
        return False
    if procedure.status == CANCELLED:
        return state in procedure.reached_states
    return order.index(procedure.status) >= order.index(state)


ALL_STATES = list(dict.fromkeys(s for kind in MOVES for s in states_of(kind)))


# --- confidentiality of applications --------------------------------------------------------
# The state in which each kind makes its selection public (admitted and excluded, with scores).
# Until then applications are confidential: only the applicant entity's people, the RUP and the
# commission read them (see processes.permissions).
RESULTS_STATE = {
    "coprogrammazione": "table",
    "coprogettazione": RANKING_PUBLISHED,
    # an open list publishes each admission as it happens (selectors.accreditation_list); the
    # applications themselves stay the RUP's until the list is closed
    "accreditamento": CLOSED,
    "convenzione_56": RANKING_PUBLISHED,
}


def results_public(procedure) -> bool:
    """True once `procedure` published who was admitted or excluded (and stays true if it is
    cancelled afterwards)."""
    state = RESULTS_STATE.get(procedure.kind)
    return state is not None and has_reached(procedure, state)


def states_with_results(kind: str) -> list[str]:
    """The states of `kind` in which its results are public (cancelled excluded: whether a
    cancelled procedure published them depends on its steps)."""
    order = [s for s in states_of(kind) if s != CANCELLED]
    state = RESULTS_STATE.get(kind)
    return order[order.index(state) :] if state in order else []


def project_frozen(procedure) -> bool:
    """The progetto definitivo (with its budget) is approved, or the agreement that rests on it
    signed, or the procedure is over: the project no longer changes."""
    return (
        is_terminal(procedure.status)
        or has_reached(procedure, "approved")
        or has_reached(procedure, "execution")
    )
