"""Demo: Third Sector entities of the ATS 6 area, and ente@example.org as one's administrator."""

from __future__ import annotations

from core.demo import demo_user
from entities.models import Activity, Entity, EntityMembership, TargetGroup


def seed(ctx: dict) -> None:
    comuni = ctx["comuni"]
    entity, _ = Entity.objects.get_or_create(
        tax_code="90012340417",
        defaults={
            "ambito": ctx["ambito"],
            "name": "Associazione Il Ponte ODV",
            "legal_form": Entity.LegalForm.ODV,
            "runts_section": Entity.RunstSection.A,
            "runts_status": Entity.RunstStatus.REGISTERED,
            "runts_number": "12345",
            "address": "Via Nolfi 12",
            "postal_code": "61032",
            "seat_comune": comuni["041013"],
            "email": "info@ilponte.example.org",
            "legal_representative": "Lucia Ferri",
            "volunteers": 40,
            "description": "Accompagnamento di persone e famiglie in difficoltà, distribuzione di beni di prima necessità.",
            "status": Entity.Status.VERIFIED,
        },
    )
    entity.activities.add(*Activity.objects.filter(code__in=["a", "u"]))
    entity.target_groups.add(*TargetGroup.objects.filter(code__in=["poverta", "famiglia-minori"]))
    entity.operating_comuni.add(comuni["041013"], comuni["041029"])
    representative = demo_user("ente@example.org", first_name="Lucia", last_name="Ferri")
    EntityMembership.objects.get_or_create(
        entity=entity,
        user=representative,
        ended_at=None,
        defaults={"role": EntityMembership.Role.ADMIN},
    )
    ctx.update(entity=entity, entity_user=representative)
