"""Every state change of tables, memberships, meetings, invitations and minutes, one module per
area. Each use case is one atomic function; e-mail and files go through core's pipelines after
commit. Reads live in tables.selectors, tokens in tables.tokens, calendar files in
tables.calendar, e-mails in tables.messages, the minutes' PDF in tables.minutes_pdf."""

from tables.minutes_pdf import minutes_pdf_bytes  # kept for callers outside tables
from tables.services.corrections import (
    minutes_correction_approve,
    minutes_correction_discard,
    minutes_correction_save,
)
from tables.services.invitations import (
    attendance_record,
    invitation_resend,
    invitation_respond,
    invitations_send,
    meeting_deliver,
    member_invitees,
    send_reminders,
)
from tables.services.meetings import (
    MEETING_FIELDS,
    RecordFrozen,
    attachment_add,
    attachment_delete,
    ensure_record_open,
    lock_meeting,
    meeting_cancel,
    meeting_create,
    meeting_update,
)
from tables.services.minutes import (
    minutes_approve,
    minutes_comment,
    minutes_render,
    minutes_save,
    minutes_share,
    version_render,
)
from tables.services.tables import (
    expert_user,
    membership_add,
    membership_decide,
    membership_leave,
    membership_request,
    reserved_table_create,
    table_archive,
    table_disclose,
    table_save,
)
from tables.tokens import feed_token, rsvp_token  # kept for callers outside tables

__all__ = [
    "MEETING_FIELDS",
    "RecordFrozen",
    "attachment_add",
    "attachment_delete",
    "attendance_record",
    "ensure_record_open",
    "expert_user",
    "feed_token",
    "invitation_resend",
    "invitation_respond",
    "invitations_send",
    "lock_meeting",
    "meeting_cancel",
    "meeting_create",
    "meeting_deliver",
    "meeting_update",
    "member_invitees",
    "membership_add",
    "membership_decide",
    "membership_leave",
    "membership_request",
    "minutes_approve",
    "minutes_comment",
    "minutes_correction_approve",
    "minutes_correction_discard",
    "minutes_correction_save",
    "minutes_pdf_bytes",
    "minutes_render",
    "minutes_save",
    "minutes_share",
    "reserved_table_create",
    "rsvp_token",
    "send_reminders",
    "table_archive",
    "table_disclose",
    "table_save",
    "version_render",
]
