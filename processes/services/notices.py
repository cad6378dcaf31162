"""The avviso: drafts, corrections (with the fields locked once applications arrive), publication."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from processes import workflow
from processes.models import (
    Criterion,
    Notice,
    Procedure,
)
from processes.services.common import _lock, _when
from processes.services.procedures import _apply_move


# --- notice ---------------------------------------------------------------------------------
@dataclass
class CriterionData:
    name: str
    weight: int
    description: str = ""


NOTICE_FIELDS = [
    "subject",
    "requirements",
    "documents_required",
    "deadline",
    "admission_threshold",
    "correction_note",
]


LOCKED_NOTICE_FIELDS = ("requirements", "documents_required", "admission_threshold")


def _criteria_rows(criteria) -> list[tuple[str, int, str]]:
    return [(c.name.strip(), int(c.weight), (c.description or "").strip()) for c in criteria]


def _locked_fields(procedure: Procedure) -> tuple[str, ...]:
    """The admission requirements of the avviso (the threshold only where there is a ranking)."""
    if procedure.is_codesign:
        return LOCKED_NOTICE_FIELDS
    return tuple(f for f in LOCKED_NOTICE_FIELDS if f != "admission_threshold")


def _locked_value(name: str, value):
    if name == "admission_threshold":
        return None if value in (None, "") else Decimal(value)
    return (value or "").strip()


def _correction_errors(
    procedure: Procedure, *, values: dict, criteria: Iterable
) -> dict[str, list[str]]:
    """What would make a new version of the published avviso unfair: a shorter deadline (ever);
    once the first application is in, other criteria, weights or admission requirements."""
    procedure = Procedure.objects.get(pk=procedure.pk)  # fresh: the lock may have just engaged
    current = procedure.current_notice
    if current is None:
        return {}
    errors: dict[str, list[str]] = {}
    before, after = procedure.effective_deadline, values.get("deadline")
    if (before is None and after is not None and procedure.is_open_list) or (
        before is not None and (after is None or after < before)
    ):
        errors["deadline"] = [
            _(
                "Il termine non si anticipa: la nuova versione deve avere un termine uguale o "
                "successivo a quello in vigore (%(d)s)."
            )
            % {"d": _when(before) if before else _("elenco aperto senza scadenza")}
        ]
    if procedure.notice_locked_at is not None:
        locked = _("Bloccato dalla prima domanda presentata (%(d)s): non si modifica più.") % {
            "d": _when(procedure.notice_locked_at)
        }
        for name in _locked_fields(procedure):
            if _locked_value(name, values.get(name)) != _locked_value(name, getattr(current, name)):
                errors[name] = [locked]
        if _criteria_rows(criteria) != _criteria_rows(current.criteria.all()):
            errors[NON_FIELD_ERRORS] = [
                _(
                    "I criteri di valutazione e i loro pesi sono bloccati dalla prima domanda "
                    "presentata (%(d)s): non si modificano più."
                )
                % {"d": _when(procedure.notice_locked_at)}
            ]
    return errors


@transaction.atomic
def notice_save_draft(
    *, procedure: Procedure, actor, data: dict, criteria: Sequence[CriterionData] = ()
) -> Notice:
    """Create or update the draft version of the avviso (the first, or a correction). A
    correction never shortens the deadline, and keeps criteria, weights and admission
    requirements once the first application has been submitted."""
    if workflow.is_terminal(procedure.status):
        raise ValidationError(_("Il procedimento è concluso: l'avviso non si modifica più."))
    errors = _correction_errors(procedure, values=data, criteria=criteria)
    if errors:
        raise ValidationError(errors)
    draft = procedure.notices.filter(published_at__isnull=True).first()
    if draft is None:
        last = procedure.notices.order_by("-version").first()
        draft = Notice(procedure=procedure, version=(last.version + 1) if last else 1)
    before = audit.snapshot(draft, NOTICE_FIELDS) if draft.pk else {}
    for name, value in data.items():
        setattr(draft, name, value)
    draft.full_clean()
    draft.save()
    draft.criteria.all().delete()
    Criterion.objects.bulk_create(
        [
            Criterion(
                notice=draft, name=c.name, description=c.description, weight=c.weight, order=i
            )
            for i, c in enumerate(criteria)
        ]
    )
    audit.record(
        actor=actor,
        action="processes.notice.saved",
        obj=draft,
        changes={
            **audit.diff(before, audit.snapshot(draft, NOTICE_FIELDS)),
            "criteria": [f"{c.name} ({c.weight})" for c in criteria],
        },
        ambito_id=procedure.ambito_id,
    )
    return draft


GOOD_PRACTICE_DAYS = 20


def notice_warnings(notice: Notice) -> list[str]:
    """Advice that does not block publication."""
    if notice.deadline and notice.deadline < timezone.now() + timedelta(days=GOOD_PRACTICE_DAYS):
        return [
            _(
                "Il termine è a meno di %(n)d giorni da oggi: la buona pratica è lasciare almeno %(n)d giorni agli enti."
            )
            % {"n": GOOD_PRACTICE_DAYS}
        ]
    return []


def notice_problems(notice: Notice) -> list[str]:
    """What prevents publishing `notice` (empty when it can be published)."""
    problems = []
    procedure = notice.procedure
    if notice.deadline is None:
        if not procedure.is_open_list:
            problems.append(_("Indica il termine per le domande."))
    elif notice.deadline <= timezone.now():
        problems.append(_("Il termine per le domande deve essere nel futuro."))
    if procedure.is_codesign:
        weights = [c.weight for c in notice.criteria.all()]
        if not weights:
            problems.append(_("Indica i criteri di valutazione con i loro pesi."))
        elif sum(weights) != 100:
            problems.append(
                _("I pesi dei criteri devono sommare a 100 (ora sommano a %(n)d).")
                % {"n": sum(weights)}
            )
        if notice.admission_threshold is None:
            problems.append(_("Indica la soglia di ammissione."))
    if notice.is_correction:
        values = {name: getattr(notice, name) for name in ("deadline", *_locked_fields(procedure))}
        errors = _correction_errors(procedure, values=values, criteria=notice.criteria.all())
        problems += [message for messages in errors.values() for message in messages]
    return problems


def notice_changes(notice: Notice) -> list[str]:
    """What a correction changes from the version before it, in words (for the e-mail, the
    notification and the page)."""
    previous = (
        notice.procedure.notices.filter(published_at__isnull=False, version__lt=notice.version)
        .order_by("-version")
        .first()
    )
    if previous is None:
        return []
    changes = []
    # The deadline in force before this version: the previous one's, or a later reopening's.
    reopenings = notice.procedure.reopenings.all()
    if notice.published_at:
        reopenings = reopenings.filter(created_at__lte=notice.published_at)
    before = max(
        (d for d in (previous.deadline, *reopenings.values_list("until", flat=True)) if d),
        default=None,
    )
    if notice.deadline != before and notice.deadline is not None:
        if before is None:
            changes.append(
                _("Termine per le domande: fissato al %(d)s.") % {"d": _when(notice.deadline)}
            )
        else:
            changes.append(
                _("Termine per le domande: prorogato dal %(a)s al %(b)s.")
                % {"a": _when(before), "b": _when(notice.deadline)}
            )
    labels = {
        "subject": _("Oggetto dell'avviso: modificato."),
        "requirements": _("Requisiti di partecipazione: modificati."),
        "documents_required": _("Documenti da allegare: modificati."),
        "admission_threshold": _("Soglia di ammissione: modificata."),
    }
    if not notice.procedure.is_codesign:
        del labels["admission_threshold"]
    for name, text in labels.items():
        if _locked_value(name, getattr(notice, name)) != _locked_value(
            name, getattr(previous, name)
        ):
            changes.append(text)
    if _criteria_rows(notice.criteria.all()) != _criteria_rows(previous.criteria.all()):
        changes.append(_("Criteri di valutazione e pesi: modificati."))
    return changes


@transaction.atomic
def notice_publish(*, notice: Notice, actor) -> Notice:
    """Publish (and so freeze) the draft version. The first publication opens the procedure and
    notifies the matching entities; later ones are dated corrections."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.published_at is not None:
        raise ValidationError(_("Questa versione dell'avviso è già pubblicata."))
    # Locked first: a submission taking the lock at this moment waits, or is seen.
    procedure = _lock(notice.procedure)
    notice.procedure = procedure
    problems = notice_problems(notice)
    if problems:
        raise ValidationError(problems)
    notice.published_at = timezone.now()
    notice.published_by = actor
    notice.save(update_fields=["published_at", "published_by", "updated_at"])
    audit.record(
        actor=actor,
        action="processes.notice.published"
        if notice.version == 1
        else "processes.notice.corrected",
        obj=notice,
        changes={"version": notice.version, "deadline": notice.deadline},
        reason=notice.correction_note,
        ambito_id=procedure.ambito_id,
    )
    if procedure.status == workflow.STARTED:
        procedure.__dict__.pop("current_notice", None)
        _apply_move(procedure, workflow.NOTICE_PUBLISHED, actor=actor, note=_("Avviso pubblicato."))
    from processes.tasks import notify_notice_published

    transaction.on_commit(lambda: notify_notice_published.delay(notice.pk))
    return notice
