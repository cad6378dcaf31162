"""Thematic working tables, their members and their meetings."""

from tables.models.meetings import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingAttachment,
)
from tables.models.minutes import Minutes, MinutesComment, MinutesVersion
from tables.models.tables import Table, TableMembership, TableQuerySet

__all__ = [
    "AgendaItem",
    "Invitation",
    "Meeting",
    "MeetingAttachment",
    "Minutes",
    "MinutesComment",
    "MinutesVersion",
    "Table",
    "TableMembership",
    "TableQuerySet",
]
