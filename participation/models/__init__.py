"""Participation above tables and procedures: proposals with official answers, public events,
news, the library and each ambito's principles."""

from participation.models.content import LibraryItem, LibraryTag, News, Principle
from participation.models.events import Booking, Event, EventSession, Registration
from participation.models.proposals import (
    ParticipationSettings,
    Proposal,
    ProposalAttachment,
    ProposalComment,
    ProposalSupport,
)
from participation.models.surveys import Answer, Question, Response, Survey

__all__ = [
    "Answer",
    "Question",
    "Response",
    "Survey",
    "Booking",
    "Event",
    "EventSession",
    "LibraryItem",
    "LibraryTag",
    "News",
    "ParticipationSettings",
    "Principle",
    "Proposal",
    "ProposalAttachment",
    "ProposalComment",
    "ProposalSupport",
    "Registration",
]
