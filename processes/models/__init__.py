"""Art. 55-56 CTS procedures: co-programmazione, co-progettazione, accreditamento, convenzioni."""

from processes.models.applications import (
    Application,
    ApplicationDocument,
    BudgetLine,
    Declaration,
    DeclaredWith,
    ExclusionNotice,
    IntegrationRequest,
)
from processes.models.common import DOCUMENT_VALIDATOR, MAX_DOCUMENT_BYTES, _upload_to
from processes.models.evaluation import Accreditation, AccreditationEvent, CommissionMember, Score
from processes.models.execution import (
    Agreement,
    AgreementCommunication,
    OutcomeDocument,
    ProjectBudgetLine,
    Report,
    ReportCost,
)
from processes.models.notices import Criterion, Notice, WindowReopening
from processes.models.procedures import Procedure, ProcedureStep, ProtocolCounter, protocol_prefix
from processes.models.states import ApplicationStatus

__all__ = [
    "Accreditation",
    "AccreditationEvent",
    "Agreement",
    "AgreementCommunication",
    "Application",
    "ApplicationDocument",
    "ApplicationStatus",
    "BudgetLine",
    "CommissionMember",
    "Criterion",
    "DOCUMENT_VALIDATOR",
    "Declaration",
    "DeclaredWith",
    "ExclusionNotice",
    "IntegrationRequest",
    "MAX_DOCUMENT_BYTES",
    "Notice",
    "OutcomeDocument",
    "Procedure",
    "ProcedureStep",
    "ProjectBudgetLine",
    "ProtocolCounter",
    "Report",
    "ReportCost",
    "Score",
    "WindowReopening",
    "_upload_to",
    "protocol_prefix",
]
