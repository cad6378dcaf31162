"""What processes/ contributes to the slots of lower layers (core.registry): blocks of the home,
the personal area, an ambito's card and an entity's profile; search providers; personal data
export and erasure (services.personal_data); the audit events it keeps confidential."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from ambito import routing
from ambito.selectors import current_ambito
from core import registry
from core.search import Hit, SearchProvider, day, excerpt, matching
from processes import selectors
from processes.models import Application, Notice, Procedure
from processes.permissions import hidden_audit_events, procedure_policy, results_public_q
from processes.services import personal_data


def _home(request):
    ambito = current_ambito(request)
    if ambito is None:  # a regional portal's home: each ambito's card lists its own (below)
        return None
    rows = selectors.open_procedures(request.user, ambito_id=ambito.pk)
    return "processes/sections/home.html", {"procedures": [(p, p.open_until) for p in rows]}


def _ambito_cards(request, ambiti):
    found = selectors.open_procedures_by_ambito(request.user, [a.pk for a in ambiti])
    return {
        pk: ("processes/sections/ambito_card.html", {"procedures": rows, "count": count})
        for pk, (rows, count) in found.items()
    }


def _my_area(request):
    applications = list(selectors.applications_for_user(request.user)[:20])
    to_act = selectors.procedures_to_act_on(request.user)
    seats = list(selectors.commission_seats(request.user))
    if not applications and not to_act and not seats:
        return None
    return "processes/sections/my_area.html", {
        "applications": applications,
        "to_act": to_act,
        "seats": seats,
    }


def _entity_profile(request, entity):
    """Procedures the entity was admitted to, once their results are public: before, the page
    would tell everyone who applied."""
    visible = procedure_policy.visible(request.user).filter(results_public_q())
    admitted = Application.objects.filter(entity=entity, status__in=["admitted"])
    # a subquery rather than a join with DISTINCT over every column (texts included); only
    # what the block shows (status_label reads the kind too)
    rows = list(
        visible.filter(pk__in=admitted.values("procedure_id"))
        .only("title", "kind", "status", "created_at")
        .order_by("-created_at")[:20]
    )
    if not rows:
        return None
    return "processes/sections/entity_profile.html", {"procedures": rows, "entity": entity}


def _search_procedures(user, term: str):
    visible = routing.scoped(procedure_policy.visible(user)).select_related("ambito")
    return matching(visible, term, ["title", "subject"])


def _procedure_hit(procedure: Procedure, term: str) -> Hit:
    meta = " · ".join((procedure.get_kind_display(), procedure.status_label, procedure.ambito.name))
    return Hit(
        procedure.title, procedure.get_absolute_url(), excerpt(procedure.subject, term), meta
    )


def _search_notices(user, term: str):
    """Published avvisi (and their corrections) of the procedures `user` may see: a draft is
    read from its procedure's page by the staff who write it."""
    visible = Notice.objects.filter(
        published_at__isnull=False, procedure__in=procedure_policy.visible(user)
    )
    visible = routing.scoped(visible, "procedure__ambito").select_related("procedure")
    return matching(visible, term, ["subject", "requirements"])


def _notice_hit(notice: Notice, term: str) -> Hit:
    title = notice.procedure.title
    if notice.is_correction:
        title = f"{title} — {gettext_lazy('rettifica')} {notice.version - 1}"
    meta = f"{gettext_lazy('Pubblicato il')} {day(notice.published_at)}"
    if notice.deadline:
        meta = f"{meta} · {gettext_lazy('domande entro il')} {day(notice.deadline)}"
    return Hit(title, notice.get_absolute_url(), excerpt(notice.subject, term), meta)


def register() -> None:
    for provider in (
        SearchProvider(
            "procedimenti", gettext_lazy("Procedimenti"), 30, _search_procedures, _procedure_hit
        ),
        SearchProvider("avvisi", gettext_lazy("Avvisi pubblici"), 35, _search_notices, _notice_hit),
    ):
        registry.add("search", provider.kind, provider.order, provider)
    registry.add("home", "processes", 30, _home)
    registry.add("ambito_card", "processes", 10, _ambito_cards)
    registry.add("my_area", "processes", 30, _my_area)
    registry.add("entity_profile", "processes", 30, _entity_profile)
    registry.add("personal_data", "processes", 0, personal_data.personal_data_export)
    registry.add("confidential_audit", "processes", 0, hidden_audit_events)
    registry.add("erase_personal_data", "processes", 0, personal_data.personal_data_erase)
