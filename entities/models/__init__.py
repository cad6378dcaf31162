"""Third Sector entities (ETS) and the partners that sit at tables with them.

A package by subject; every model is importable from `entities.models` as before."""

from entities.models.claims import EntityClaim, _claim_upload_to
from entities.models.entity import (
    ETS,
    ETS_LEGAL_FORMS,
    LEGAL_FORM_RULES,
    NOT_ETS,
    Entity,
    EntityQuerySet,
    LegalFormRule,
)
from entities.models.people import EntityInvitation, EntityMembership
from entities.models.taxonomy import Activity, TargetGroup

__all__ = [
    "ETS",
    "ETS_LEGAL_FORMS",
    "LEGAL_FORM_RULES",
    "NOT_ETS",
    "Activity",
    "Entity",
    "EntityClaim",
    "EntityInvitation",
    "EntityMembership",
    "EntityQuerySet",
    "LegalFormRule",
    "TargetGroup",
    "_claim_upload_to",
]
