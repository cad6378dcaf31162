"""The state machine of each kind of procedure: a declarative table of states and moves.

Each move names its source and target state, the label of the button that performs it, and the
name of the guard that must hold. The guards read the procedure's rows, so they live in
processes.guards (`guards.refusal`); this module makes no query and imports only the states.
`processes.services.procedure_transition` is the only place that applies a move."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from processes.models.states import (
    ADMISSION,
    CANCELLED,
    CLOSED,
    EVALUATION,
    KIND_STATE_LABELS,
    NOTICE_PUBLISHED,
    RANKING_PUBLISHED,
    STARTED,
    STATE_LABELS,
    is_terminal,
    state_label,
)

__all__ = [
    "ADMISSION",
    "CANCELLED",
    "CLOSED",
    "EVALUATION",
    "KIND_STATE_LABELS",
    "NOTICE_PUBLISHED",
    "RANKING_PUBLISHED",
    "STARTED",
    "STATE_LABELS",
    "is_terminal",
]


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    label: object  # lazy translation
    # The names of the guards that must all hold (processes.guards.GUARDS), checked in order.
    guards: tuple[str, ...] = ()
    # Moves done by a dedicated service (publishing the notice) are not offered as a button.
    manual: bool = True


_PUBLISH = Move(
    STARTED, NOTICE_PUBLISHED, _("Pubblica l'avviso"), ("notice_published",), manual=False
)
_CLOSE_APPLICATIONS = Move(
    NOTICE_PUBLISHED, ADMISSION, _("Chiudi le domande e avvia l'istruttoria"), ("deadline_passed",)
)

MOVES: dict[str, list[Move]] = {
    "coprogrammazione": [
        _PUBLISH,
        _CLOSE_APPLICATIONS,
        Move(
            ADMISSION,
            "table",
            _("Pubblica ammessi ed esclusi e avvia il tavolo"),
            ("all_decided", "has_table"),
        ),
        Move("table", "outcome", _("Pubblica il documento di sintesi"), ("has_sintesi",)),
        Move("outcome", CLOSED, _("Chiudi il procedimento")),
    ],
    "coprogettazione": [
        _PUBLISH,
        _CLOSE_APPLICATIONS,
        Move(
            ADMISSION,
            EVALUATION,
            _("Chiudi l'istruttoria e avvia la valutazione"),
            ("all_decided",),
        ),
        # The admitted are seated at a table reserved to them (services._seat_admitted).
        Move(
            EVALUATION,
            RANKING_PUBLISHED,
            _("Approva la graduatoria e pubblica gli ammessi"),
            ("scoring_complete", "exclusions_concluded"),
        ),
        Move(RANKING_PUBLISHED, "codesign", _("Avvia il tavolo di co-progettazione")),
        Move(
            "codesign",
            "final_project",
            _("Registra il progetto definitivo"),
            ("has_final_project",),
        ),
        Move("final_project", "approved", _("Registra l'approvazione"), ("has_approval",)),
        Move(
            "approved",
            "execution",
            _("Avvia l'esecuzione (convenzione firmata)"),
            ("has_agreement",),
        ),
        Move("execution", CLOSED, _("Chiudi il procedimento")),
    ],
    # An open list (art. 55 c. 4): while the avviso is published entities apply at any time and
    # each is admitted (or, after the art. 10-bis notice, excluded) as it comes; closing the list
    # ends both.
    "accreditamento": [
        _PUBLISH,
        Move(NOTICE_PUBLISHED, CLOSED, _("Chiudi l'elenco"), ("all_decided",)),
    ],
    "convenzione_56": [
        _PUBLISH,
        _CLOSE_APPLICATIONS,
        Move(
            ADMISSION,
            EVALUATION,
            _("Chiudi l'istruttoria e avvia la valutazione comparativa"),
            ("all_decided",),
        ),
        Move(
            EVALUATION,
            RANKING_PUBLISHED,
            _("Approva la graduatoria e pubblica gli ammessi"),
            ("scoring_complete", "exclusions_concluded"),
        ),
        Move(
            RANKING_PUBLISHED,
            "execution",
            _("Avvia l'esecuzione (convenzione firmata)"),
            ("has_agreement",),
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
    return state_label(state, kind)


def moves_from(kind: str, state: str) -> list[Move]:
    return [m for m in MOVES.get(kind, []) if m.source == state]


def find_move(kind: str, source: str, target: str) -> Move | None:
    return next((m for m in moves_from(kind, source) if m.target == target), None)


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
