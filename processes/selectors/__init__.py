"""Reads used by views and exports: scoped to the user, pre-fetched, constant query counts."""

from processes.selectors.lists import (
    activity_codes,
    administered_entities,
    application_visible,
    applications_for_user,
    commission_seats,
    open_procedures,
    open_procedures_by_ambito,
    procedures_for_list,
    procedures_to_act_on,
)
from processes.selectors.records import (
    accreditation_list,
    accredited_entities,
    applications_of_procedure,
    matching_entities,
    public_results,
    sessions_of,
)
from processes.selectors.scoring import (
    TWO,
    commission_ties,
    missing_scores,
    ranking,
    score_table,
    scoring_members,
    submitted_applications,
    ties,
)

__all__ = [
    "TWO",
    "accreditation_list",
    "accredited_entities",
    "activity_codes",
    "administered_entities",
    "application_visible",
    "applications_for_user",
    "applications_of_procedure",
    "commission_seats",
    "commission_ties",
    "matching_entities",
    "missing_scores",
    "open_procedures",
    "open_procedures_by_ambito",
    "procedures_for_list",
    "procedures_to_act_on",
    "public_results",
    "ranking",
    "score_table",
    "scoring_members",
    "sessions_of",
    "submitted_applications",
    "ties",
]
