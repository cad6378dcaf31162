"""Every state change of entities, one module by subject: registration, edits and verification
(registration), members and invitations (members), claims of a disputed tax code (claims),
imports from a file (imports). Each function is atomic and leaves an audit record; e-mails go
through core.mail after commit. The functions of registration and members are importable from
`entities.services` as before."""

from entities.services.members import (
    invitation_accept,
    invitation_create,
    invitation_problem,
    invitation_resend,
    invitation_revoke,
    membership_end,
    membership_set_role,
)
from entities.services.registration import (
    M2M_FIELDS,
    REASON_REQUIRED,
    TRANSITIONS,
    ambito_for,
    entity_register,
    entity_set_status,
    entity_update,
    notify_verifiers,
)

__all__ = [
    "M2M_FIELDS",
    "REASON_REQUIRED",
    "TRANSITIONS",
    "ambito_for",
    "entity_register",
    "entity_set_status",
    "entity_update",
    "invitation_accept",
    "invitation_create",
    "invitation_problem",
    "invitation_resend",
    "invitation_revoke",
    "membership_end",
    "membership_set_role",
    "notify_verifiers",
]
