"""Piano di Zona (L. 328/2000 art. 19): the plan, its sections, the fund map (Mappafondo), the
interventions (schede intervento) with indicators and budget lines, the needs and services
mapping, comments during consultation, and the approved versions kept read-only.

A package by subject; every model is importable from `plans.models` as before."""

from plans.models.funds import AMOUNT, FundAvailability, FundingSource
from plans.models.interventions import BudgetLine, Indicator, Intervention
from plans.models.mapping import MappingRecord, Need, Service
from plans.models.plan import MAX_PLAN_YEARS, Plan, PlanComment, PlanVersion, Section

__all__ = [
    "AMOUNT",
    "MAX_PLAN_YEARS",
    "BudgetLine",
    "FundAvailability",
    "FundingSource",
    "Indicator",
    "Intervention",
    "MappingRecord",
    "Need",
    "Plan",
    "PlanComment",
    "PlanVersion",
    "Section",
    "Service",
]
