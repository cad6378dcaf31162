"""What plans/ contributes through core.registry: blocks on lower layers' pages (home, ambito
cards, regional funds, tables, procedures, proposals); plans and interventions in the global
search; personal data export and erasure (plans.services.personal_data)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambito import routing
from core import registry
from core.queries import FirstPerGroup
from core.search import Hit, SearchProvider, excerpt, matching
from plans import charts, selectors
from plans.models import Intervention, Plan
from plans.permissions import plan_policy
from plans.services import personal_data


def _home(request):
    from ambito.selectors import current_ambito

    ambito = current_ambito(request)
    if ambito is None:
        return None
    plan = (
        plan_policy.visible(request.user)
        .filter(ambito=ambito)
        .order_by("-start_year", "-pk")
        .first()
    )
    if plan is None:
        return None
    return "plans/sections/home.html", {"plan": plan}


_LATEST_PLAN = FirstPerGroup(
    lambda user, ambito_ids: plan_policy.visible(user).filter(ambito_id__in=ambito_ids),
    model=Plan,
    group="ambito",
    order=[F("start_year").desc(), F("pk").desc()],
    n=1,
)


def _ambito_cards(request, ambiti):
    """Each ambito's latest plan the visitor may see (one query for all the ambiti)."""
    latest = _LATEST_PLAN.run(user=request.user, ambito_ids=tuple(a.pk for a in ambiti))
    return {plan.ambito_id: ("plans/sections/ambito_card.html", {"plan": plan}) for plan in latest}


def _region_funds(request, ambiti):
    """The Mappafondo of every ambito's public plans together (the regional view)."""
    funds, by_ambito = selectors.region_funds(plan_policy.visible(AnonymousUser()))
    if not by_ambito:
        return None
    return "plans/sections/region_funds.html", {
        "budget": funds,
        "ambiti": by_ambito,
        "chart_sources": charts.bar_chart(
            [(row.source.name, row.total.available) for row in funds.rows],
            title=_("Risorse disponibili per fonte, in tutti gli ambiti"),
            chart_id="region-sources",
        ),
        "chart_ambiti": charts.bar_chart(
            [(row.ambito.name, row.total.available) for row in by_ambito],
            title=_("Risorse disponibili per ambito"),
            chart_id="region-ambiti",
        ),
    }


def _from_table(request, table):
    items = selectors.interventions_from(table=table, plans=plan_policy.visible(request.user))
    return ("plans/sections/interventions_from.html", {"interventions": items}) if items else None


def _from_procedure(request, procedure):
    items = selectors.interventions_from(
        procedure=procedure, plans=plan_policy.visible(request.user)
    )
    return ("plans/sections/interventions_from.html", {"interventions": items}) if items else None


def _from_proposal(request, proposal):
    items = selectors.interventions_from(proposal=proposal, plans=plan_policy.visible(request.user))
    if not items:
        return None
    return "plans/sections/interventions_from.html", {"interventions": items, "from_proposal": True}


def _search_plans(user, term: str):
    return matching(routing.scoped(plan_policy.visible(user)), term, ["title"])


def _plan_hit(plan: Plan, term: str) -> Hit:
    meta = " · ".join(
        (f"{plan.start_year}–{plan.end_year}", plan.get_status_display(), plan.ambito.name)
    )
    return Hit(plan.title, plan.get_absolute_url(), "", meta)


def _search_interventions(user, term: str):
    visible = Intervention.objects.filter(plan__in=plan_policy.visible(user))
    visible = routing.scoped(visible, "plan__ambito").select_related("plan")
    return matching(visible, term, ["title", "code", "objective", "description"])


def _intervention_hit(item: Intervention, term: str) -> Hit:
    meta = " · ".join(x for x in (item.code, item.plan.title) if x)
    return Hit(item.title, item.get_absolute_url(), excerpt(item.objective, term), meta)


def register() -> None:
    """Called by PlansConfig.ready()."""
    for provider in (
        SearchProvider("piani", gettext_lazy("Piani di Zona"), 40, _search_plans, _plan_hit),
        SearchProvider(
            "interventi",
            gettext_lazy("Interventi dei Piani di Zona"),
            45,
            _search_interventions,
            _intervention_hit,
        ),
    ):
        registry.add("search", provider.kind, provider.order, provider)
    registry.add("home", "plans", 50, _home)
    registry.add("ambito_card", "plans", 30, _ambito_cards)
    registry.add("region_funds", "plans", 10, _region_funds)
    registry.add("table_page", "plans", 50, _from_table)
    registry.add("procedure_page", "plans", 50, _from_procedure)
    registry.add("proposal_page", "plans", 50, _from_proposal)
    registry.add("personal_data", "plans_comments", 0, personal_data.export_comments)
    registry.add("personal_data", "plans_mapping", 0, personal_data.export_mapping)
    registry.add("erase_personal_data", "plans", 0, personal_data.erase_personal_data)


__all__ = ["Plan"]
