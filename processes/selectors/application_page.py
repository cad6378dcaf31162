"""What an application's page shows to one user: its records, the art. 10-bis notices, the
marks, and what the user may do on it (the forms are the view's)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from processes import workflow
from processes.models import Application, ApplicationStatus, Declaration
from processes.permissions import application_policy, declared_member, procedure_policy
from processes.selectors.scoring import ranking


def application_page(application: Application, user, *, can_decide: bool) -> dict:
    """The context of the application's page for `user`, without forms. Flags say which forms
    the page offers: `can_decide` (in istruttoria), `offers_decision`, `offers_integration`,
    `offers_answer`, `offers_observations`, `offers_exclusion_decision`, `can_withdraw`."""
    procedure = application.procedure
    member = declared_member(user, procedure)
    requests = list(application.integration_requests.all())
    open_requests = [r for r in requests if r.is_open]
    entity_admin = application_policy.is_entity_admin(user, application)
    sees_scores = application_policy.sees_scores(user, application)
    notices = list(
        application.exclusion_notices.select_related("communication", "decision_communication")
        .prefetch_related(
            "documents", "communication__pec_receipts", "decision_communication__pec_receipts"
        )
        .order_by("sent_at", "pk")
    )
    current = next((n for n in notices if n.is_open), None)
    deciding = can_decide and procedure.in_istruttoria
    return {
        "application": application,
        "procedure": procedure,
        "notice": procedure.current_notice,
        "documents": list(application.documents.select_related("integration_request")),
        "declarations": [d for d in Declaration if d.value in application.declarations],
        "can_decide": deciding,
        # the ambito's staff see the formal communications (channel, PEC receipts)
        "sees_communications": procedure_policy.is_staff(user, procedure),
        "offers_decision": deciding and application.status != ApplicationStatus.PRE_REJECTION,
        "offers_integration": deciding
        and application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.INTEGRATION),
        "exclusion_notices": notices,
        "open_exclusion": current,
        "offers_observations": bool(current and current.accepts_observations and entity_admin),
        "offers_exclusion_decision": bool(current and can_decide),
        "integration_requests": requests,
        "open_request": open_requests[0] if open_requests else None,
        "offers_answer": bool(open_requests and entity_admin),
        "member": member,
        "can_score": bool(
            member
            and procedure.status == workflow.EVALUATION
            and application.status == ApplicationStatus.ADMITTED
            and application_policy.can_score(user, application)
        ),
        "scores": list(application.scores.select_related("criterion", "member__user"))
        if sees_scores
        else None,
        "accepts": procedure.accepts_applications,
        "deadline": procedure.effective_deadline,
        "can_withdraw": application_policy.can_withdraw(user, application),
    }


def below_threshold_reason(application: Application) -> str:
    """The reason to propose during the evaluation, when the weighted total is under the
    avviso's threshold."""
    procedure = application.procedure
    notice = procedure.current_notice
    if procedure.status != workflow.EVALUATION or notice is None:
        return ""
    threshold = notice.admission_threshold
    total = next((t for a, t in ranking(procedure) if a.pk == application.pk), None)
    if threshold is None or total is None or total >= threshold:
        return ""
    return _(
        "Punteggio complessivo di %(s)s su 100, inferiore alla soglia di ammissione di %(t)s "
        "punti fissata dall'avviso."
    ) % {"s": number_format(total, 2), "t": number_format(threshold, 2)}
