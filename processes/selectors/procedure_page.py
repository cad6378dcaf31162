"""What a procedure's page shows to one user: its records, its timeline, its budget, what the
user may do on it (the forms are the view's)."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from entities.models import Entity
from entities.permissions import administered_entity_ids, member_entity_ids
from processes import guards, workflow
from processes.models import Procedure, ProcedureStep
from processes.permissions import procedure_policy, report_policy
from processes.selectors.records import (
    accreditation_list,
    accredited_entities,
    applications_of_procedure,
    public_results,
    sessions_of,
)
from tables.permissions import can_see_table


def procedure_page(procedure: Procedure, user) -> dict:
    """The context of the procedure's page for `user`, without forms: `moves` lists the manual
    moves with the reason each is refused ("" when allowed); the flags `can_cancel` and
    `can_reopen` say which staff forms the page offers."""
    can_change = procedure_policy.can_change(user, procedure)
    is_staff = procedure_policy.is_staff(user, procedure)
    notices = list(procedure.notices.prefetch_related("criteria").order_by("version"))
    published = [n for n in notices if n.is_published]
    # The latest published version, from the versions just read (not one more query).
    procedure.current_notice = published[-1] if published else None
    draft = next((n for n in notices if not n.is_published), None) if can_change else None
    # read once for the page: the timeline, the deadline (Procedure.effective_deadline) and the
    # statuses passed read them again
    prefetch_related_objects(
        [procedure],
        "reopenings",
        Prefetch("steps", queryset=ProcedureStep.objects.select_related("actor")),
    )
    reopenings = list(procedure.reopenings.all())
    moves = []
    if can_change:
        moves = [
            {"move": move, "refusal": guards.move_refusal(procedure, move)}
            for move in workflow.moves_from(procedure.kind, procedure.status)
            if move.manual
        ]
    # what the entity's people can do
    my_entities = list(
        Entity.objects.filter(pk__in=administered_entity_ids(user), status=Entity.Status.VERIFIED)
    )
    my_apps = list(
        procedure.applications.filter(entity_id__in=member_entity_ids(user)).select_related(
            "entity"
        )
    )
    applied = {a.entity_id for a in my_apps}
    can_apply = (
        [e for e in my_entities if e.pk not in applied] if procedure.accepts_applications else []
    )
    if can_apply and procedure.accreditation_list_id:  # only the accredited may apply
        eligible = set(
            accredited_entities(procedure.accreditation_list, at=procedure.opened_at).values_list(
                "pk", flat=True
            )
        ) & set(
            accredited_entities(procedure.accreditation_list, at=timezone.now()).values_list(
                "pk", flat=True
            )
        )
        can_apply = [e for e in can_apply if e.pk in eligible]
    sees_applications = procedure_policy.sees_applications(user, procedure)
    applications = list(applications_of_procedure(procedure)) if sees_applications else []
    by_status = Counter(a.status_label for a in applications)
    status_chart = [
        {"label": label, "value": n, "total": len(applications)}
        for label, n in by_status.most_common()
    ]
    member = procedure.commission.filter(user=user).first() if user.is_authenticated else None
    documents = list(procedure.documents.all())
    budget = list(procedure.project_budget.select_related("entity"))
    agreement = getattr(procedure, "agreement", None)
    parties = list(agreement.parties.all()) if agreement else []
    # a party's administrator opens the agreement's signatures page (processes.views.signing)
    agreement_party = (
        bool(parties)
        and user.is_authenticated
        and bool({p.pk for p in parties} & set(administered_entity_ids(user)))
    )
    participant = procedure_policy.is_participant(user, procedure)
    accredited = accreditation_list(procedure) if procedure.is_open_list else []
    reserved = procedure.reserved_table
    return {
        "accredited": accredited,
        "can_change_list": can_change and procedure.status == workflow.NOTICE_PUBLISHED,
        "reserved_table": reserved if reserved and can_see_table(user, reserved) else None,
        "procedure": procedure,
        "activities": list(procedure.activities.all()),
        "target_groups": list(procedure.target_groups.all()),
        "tables": list(procedure.tables.all()),
        "steps": list(procedure.steps.all()),
        "states": timeline(procedure, notices=published, reopenings=reopenings),
        "notices": published,
        "draft_notice": draft,
        "current_notice": procedure.current_notice,
        "reopenings": reopenings,
        "can_change": can_change,
        "can_cancel": can_change and not workflow.is_terminal(procedure.status),
        "can_reopen": can_change
        and procedure.status in (workflow.NOTICE_PUBLISHED, workflow.ADMISSION),
        "is_staff": is_staff,
        "sees_applications": sees_applications,
        "project_frozen": workflow.project_frozen(procedure),
        "moves": moves,
        "my_apps": my_apps,
        "can_apply": can_apply,
        "applications": applications,
        "status_chart": status_chart,
        "results": public_results(procedure),
        "sessions": sessions_of(procedure, user),
        "now": timezone.now(),
        "commission_member": member,
        "documents": documents,
        "budget": budget,
        "budget_summary": budget_summary(budget),
        "agreement": agreement,
        "parties": parties,
        "agreement_party": agreement_party,
        # Each party sees its own reports (the staff all of them): the ones it may open.
        "reports": list(
            report_policy.visible(user).filter(agreement=agreement).select_related("entity")
        )
        if agreement
        else [],
        "participant": participant,
    }


def timeline(procedure: Procedure, *, notices, reopenings) -> list[dict]:
    """Every state of the kind, with the date it was reached (or None); under the open window,
    the dated corrections of the avviso and reopenings of the deadline (the public record)."""
    reached = {}
    for step in procedure.steps.all():
        reached[step.to_status] = step
    states = [s for s in workflow.states_of(procedure.kind) if s != workflow.CANCELLED]
    if procedure.status == workflow.CANCELLED:
        states.append(workflow.CANCELLED)
    events = sorted(
        [
            (
                n.published_at,
                _("Rettifica dell'avviso (versione %(v)d)") % {"v": n.version},
                n.correction_note,
            )
            for n in notices
            if n.is_correction
        ]
        + [
            (
                r.created_at,
                _("Termini riaperti fino al %(d)s")
                % {"d": timezone.localtime(r.until).strftime("%d/%m/%Y %H:%M")},
                r.reason,
            )
            for r in reopenings
        ],
        key=lambda e: e[0],
    )
    return [
        {
            "state": s,
            "label": workflow.label(s, procedure.kind),
            "step": reached.get(s),
            "current": s == procedure.status,
            "events": [{"at": at, "text": text, "note": note} for at, text, note in events]
            if s == workflow.NOTICE_PUBLISHED
            else [],
        }
        for s in states
    ]


def budget_summary(lines) -> dict:
    """Totals by party and by fund, as rows of core.charts (each a share of the total)."""
    by_party: dict[str, Decimal] = defaultdict(Decimal)
    by_fund: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_party[line.entity.name if line.entity else _("Ambito (ente pubblico)")] += line.amount
        by_fund[line.get_fund_display()] += line.amount
    total = sum(by_party.values(), Decimal(0))

    def rows(data):
        return [
            {
                "label": k,
                "value": v,
                "total": total,
                "display": f"€ {number_format(v, 2, force_grouping=True)} ({float(v / total * 100) if total else 0:.0f}%)",
            }
            for k, v in sorted(data.items(), key=lambda kv: -kv[1])
        ]

    return {"total": total, "by_party": rows(by_party), "by_fund": rows(by_fund)}
