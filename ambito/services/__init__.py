"""State changes of ambito/: importing the official list of comuni and creating ambiti (here),
and the staff roles the Ufficio di Piano manages (ambito.services.staff: invitations by e-mail,
changes, revocations), each with its audit event and e-mail. `from ambito import services` keeps
every name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction

from ambito.models import Ambito, Comune, StaffInvitation, StaffRole
from ambito.services.staff import (
    LAST_COORDINATOR,
    staff_invitation_accept,
    staff_invitation_create,
    staff_invitation_resend,
    staff_invitation_revoke,
    staff_role_revoke,
    staff_role_update,
)
from core import audit
from core.models import User


@transaction.atomic
def comuni_import(records: Iterable[Mapping[str, str]]) -> tuple[int, int]:
    """Create or update comuni from ISTAT records. Idempotent: returns (created, updated)."""
    existing = {c.istat_code: c for c in Comune.objects.all()}
    to_create: list[Comune] = []
    to_update: list[Comune] = []
    fields = ["name", "province", "province_code", "region", "cadastral_code"]
    for r in records:
        values = {
            "name": r["denominazione_italiana"].strip(),
            "province": r["provincia"].strip(),
            "province_code": r["sigla_provincia"].strip(),
            "region": r["regione"].strip(),
            "cadastral_code": r.get("codice_catastale", "").strip(),
        }
        code = r["codice_istat"].strip().zfill(6)
        current = existing.get(code)
        if current is None:
            to_create.append(Comune(istat_code=code, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    Comune.objects.bulk_create(to_create, batch_size=1000)
    Comune.objects.bulk_update(to_update, fields, batch_size=1000)
    return len(to_create), len(to_update)


# --- ambiti --------------------------------------------------------------------------------------
@transaction.atomic
def ambito_create(
    *,
    name: str,
    code: str,
    lead_comune: Comune,
    comuni: Iterable[Comune],
    actor: User | None,
    coordinator_email: str = "",
    region: str = "",
) -> tuple[Ambito, StaffInvitation | None]:
    """A new ambito with its comuni (the ente capofila among them) and, given an address, the
    invitation of its first coordinator."""
    members = {c.pk: c for c in [lead_comune, *comuni]}
    ambito = Ambito(
        name=name, code=code, lead_comune=lead_comune, region=region or lead_comune.region
    )
    ambito.full_clean()
    ambito.save()
    ambito.comuni.set(members.values())
    audit.record(
        actor=actor,
        action="ambito.ambito.created",
        obj=ambito,
        changes={
            "name": name,
            "code": code,
            "lead_comune": lead_comune.istat_code,
            "comuni": sorted(c.istat_code for c in members.values()),
        },
        ambito_id=ambito.pk,
    )
    invitation = None
    if coordinator_email:
        invitation = staff_invitation_create(
            ambito=ambito,
            email=coordinator_email,
            role=StaffRole.Role.COORDINATOR,
            invited_by=actor,
            job_title=str(StaffRole.Role.COORDINATOR.label),
        )
    return ambito, invitation


@transaction.atomic
def ambito_update(
    *, ambito: Ambito, name: str, lead_comune: Comune, comuni: Iterable[Comune], actor: User | None
) -> Ambito:
    """Name, ente capofila and comuni of an ambito set to these (audited when they change)."""
    members = {c.pk: c for c in [lead_comune, *comuni]}
    before = {
        "name": ambito.name,
        "lead_comune": ambito.lead_comune.istat_code,
        "comuni": sorted(ambito.comuni.values_list("istat_code", flat=True)),
    }
    ambito.name, ambito.lead_comune = name, lead_comune
    ambito.full_clean()
    ambito.save()
    ambito.comuni.set(members.values())
    after = {
        "name": name,
        "lead_comune": lead_comune.istat_code,
        "comuni": sorted(c.istat_code for c in members.values()),
    }
    audit.record_changes(
        before, after, actor=actor, action="ambito.ambito.updated", obj=ambito, ambito_id=ambito.pk
    )
    return ambito


__all__ = [
    "LAST_COORDINATOR",
    "ambito_create",
    "ambito_update",
    "comuni_import",
    "staff_invitation_accept",
    "staff_invitation_create",
    "staff_invitation_resend",
    "staff_invitation_revoke",
    "staff_role_revoke",
    "staff_role_update",
]
