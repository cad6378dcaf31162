"""The states of procedures and applications: codes and labels, with no queries and no imports
from the rest of processes (models, workflow, selectors and permissions all read them).

A procedure's states differ by kind: which follow which, and under which guard, is the state
machine in processes.workflow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

DRAFT = "draft"
STARTED = "started"
NOTICE_PUBLISHED = "notice_published"
ADMISSION = "admission"
EVALUATION = "evaluation"
RANKING_PUBLISHED = "ranking_published"
TABLE = "table"
CODESIGN = "codesign"
OUTCOME = "outcome"
FINAL_PROJECT = "final_project"
APPROVED = "approved"
EXECUTION = "execution"
CLOSED = "closed"
CANCELLED = "cancelled"

STATE_LABELS = {
    DRAFT: _("Avviato"),
    STARTED: _("Avviato"),
    NOTICE_PUBLISHED: _("Avviso pubblicato: domande aperte"),
    ADMISSION: _("Verifica dei requisiti e istruttoria"),
    EVALUATION: _("Valutazione della commissione"),
    RANKING_PUBLISHED: _("Ammessi pubblicati"),
    TABLE: _("Tavolo: sessioni di lavoro"),
    CODESIGN: _("Tavolo di co-progettazione"),
    OUTCOME: _("Documento di sintesi pubblicato"),
    FINAL_PROJECT: _("Progetto definitivo"),
    APPROVED: _("Approvato"),
    EXECUTION: _("Convenzione firmata: esecuzione e rendicontazione"),
    CLOSED: _("Chiuso"),
    CANCELLED: _("Annullato"),
}

# Labels that read differently for one kind of procedure.
KIND_STATE_LABELS = {
    ("accreditamento", NOTICE_PUBLISHED): _("Elenco aperto: domande e ammissioni in ogni momento"),
    ("accreditamento", CLOSED): _("Elenco chiuso"),
}


def state_label(state: str, kind: str = "") -> str:
    """The label of a procedure's state (as the kind names it)."""
    return str(KIND_STATE_LABELS.get((kind, state)) or STATE_LABELS.get(state) or state)


def is_terminal(state: str) -> bool:
    return state in (CLOSED, CANCELLED)


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Bozza")
    SUBMITTED = "submitted", _("Presentata")
    INTEGRATION = "integration", _("Soccorso istruttorio in corso")
    PRE_REJECTION = "pre_rejection", _("Motivi ostativi comunicati (art. 10-bis)")
    ADMITTED = "admitted", _("Ammessa")
    NOT_ADMITTED = "not_admitted", _("Non ammessa")


# Applications that wait for the decision on their admission.
PENDING_APPLICATION_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.INTEGRATION,
    ApplicationStatus.PRE_REJECTION,
)
