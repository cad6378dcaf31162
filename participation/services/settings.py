"""The participation settings of an ambito (what its Ufficio di Piano opens to citizens)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ambito.models import Ambito
from ambito.permissions import is_ufficio_di_piano
from core import audit
from participation.models import ParticipationSettings

FIELDS = ("citizen_proposals", "citizen_proposals_need_spid")


@transaction.atomic
def settings_save(
    *, ambito: Ambito, by, citizen_proposals: bool, need_spid: bool
) -> ParticipationSettings:
    """The ambito's participation settings (audited)."""
    if not is_ufficio_di_piano(by, ambito):
        raise PermissionDenied
    options, _created = ParticipationSettings.objects.select_for_update().get_or_create(
        ambito=ambito
    )
    before = audit.snapshot(options, FIELDS)
    options.citizen_proposals = citizen_proposals
    options.citizen_proposals_need_spid = need_spid
    options.save()
    audit.record_changes(
        before,
        audit.snapshot(options, FIELDS),
        actor=by,
        action="participation.settings.updated",
        obj=ambito,
        ambito_id=ambito.pk,
    )
    return options
