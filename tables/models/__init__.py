"""Thematic working tables, their members and their meetings."""

from tables.models.meetings import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingAttachment,
    _attachment_path,  # named by migration 0003 (upload_to)
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
    "_attachment_path",
]
