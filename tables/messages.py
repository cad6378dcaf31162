"""The e-mail each invitee receives for a meeting's state: invitation, update or cancellation."""

from __future__ import annotations

from django.urls import reverse

from core import mail
from core.models import OutgoingEmail
from tables.calendar import absolute, meeting_ics
from tables.models import (
    Invitation,
    Meeting,
)
from tables.tokens import rsvp_token


def message_kind(meeting: Meeting, invitation: Invitation) -> str:
    if meeting.status == Meeting.Status.CANCELLED:
        return "cancel"
    return "update" if invitation.sent_sequence >= 0 else "invitation"


def build_message(meeting: Meeting, invitation: Invitation, kind: str) -> OutgoingEmail:
    token = rsvp_token(invitation)
    rsvp = absolute(reverse("tables:rsvp", kwargs={"token": token}))
    method = "CANCEL" if kind == "cancel" else "REQUEST"
    context = {
        "kind": kind,
        "meeting": meeting,
        "table": meeting.table,
        "ambito": meeting.table.ambito,
        "invitation": invitation,
        "agenda": list(meeting.agenda_items.all()),
        "meeting_url": absolute(meeting.get_absolute_url()),
        "rsvp_url": rsvp,
        "rsvp_yes": f"{rsvp}?risposta=yes",
        "rsvp_no": f"{rsvp}?risposta=no",
        "rsvp_maybe": f"{rsvp}?risposta=maybe",
    }
    attachment = mail.Attachment(
        "convocazione.ics" if method == "REQUEST" else "annullamento.ics",
        meeting_ics(meeting, method=method, attendee=invitation.email),
        f"text/calendar; method={method}",
    )
    return mail.build(
        "tables_meeting",
        context,
        to=invitation.email,
        attachments=[attachment],
        reply_to=meeting.table.ambito.email,
        ambito_id=meeting.table.ambito_id,
    )
