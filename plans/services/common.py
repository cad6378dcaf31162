"""What the plan services share: the audit record of a change, the guard of an approved plan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from plans.models import (
    Plan,
)

PDF_KIND = "plan_pdf"


class PlanLocked(ValidationError):
    """An approved plan is read-only: a revision must be opened first."""


def ensure_editable(plan: Plan) -> None:
    if not plan.is_editable:
        raise PlanLocked(
            _(
                "Il piano è approvato (versione %(v)s) e non si può modificare. Per cambiarlo apri una nuova "
                "revisione: la versione approvata resta conservata."
            )
            % {"v": plan.version}
        )


def record(plan: Plan, user, action: str, obj=None, changes=None, reason: str = "") -> None:
    audit.record(
        actor=user,
        action=action,
        obj=obj or plan,
        changes=changes,
        reason=reason,
        ambito_id=plan.ambito_id,
    )
