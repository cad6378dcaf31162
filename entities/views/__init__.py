"""Pages of the entity registry, one module by subject. Views parse input, check permission, call
a service or selector (entities.selectors.pages assembles the larger pages), render."""

from entities.views.claims import claim, claim_detail, claim_document, claim_withdraw, take_over
from entities.views.imports import (
    export,
    import_confirm,
    import_entities,
    import_job,
    import_job_status,
    import_template,
)
from entities.views.members import invitation, invitation_action, members, membership_action
from entities.views.profile import detail, directory, edit, register
from entities.views.verification import set_status, verification_queue

__all__ = [
    "claim",
    "claim_detail",
    "claim_document",
    "claim_withdraw",
    "detail",
    "directory",
    "edit",
    "export",
    "import_confirm",
    "import_entities",
    "import_job",
    "import_job_status",
    "import_template",
    "invitation",
    "invitation_action",
    "members",
    "membership_action",
    "register",
    "set_status",
    "take_over",
    "verification_queue",
]
