"""Demo: the comuni's concertation tables (Table.Kind.CONCERTATION, the Tavolo di Concertazione
of the Piano Sociale di Zona) of Mondolfo and Pergola, each run by the comune's staff: the comune
and the entities seated in it as members, one held meeting with attendance and approved minutes.
The plan's participation path lists them per comune (tables.concertation).

ctx keys used: ambito, comuni, comune_users (tables.demo helpers: coordinator is replaced by the
comune's staff). ctx keys added: concertation (ISTAT code -> Table)."""

from __future__ import annotations

from tables.demo import past_meeting, seat_comune, seat_entities
from tables.models import Table

# ISTAT code -> slug, name, description, (days ago, title, agenda, place) of its held meeting
CONCERTATION = {
    "041029": (
        "concertazione-mondolfo",
        "Tavolo di concertazione del Comune di Mondolfo",
        "Il Comune di Mondolfo e gli enti del territorio preparano il contributo del Comune al "
        "Piano sociale di zona: anziani soli, povertà, servizi a Marotta.",
        (
            35,
            "Il contributo di Mondolfo al Piano sociale di zona",
            [
                (
                    "I bisogni sociali di Mondolfo e Marotta",
                    "I servizi sociali del Comune presentano le richieste di aiuto del 2025.",
                    "Gli enti segnalano gli anziani soli e le famiglie seguite dalla mensa.",
                ),
                (
                    "Le proposte per il Piano sociale di zona",
                    "Gli enti propongono un punto di ascolto a Marotta.",
                    "La proposta è portata al tavolo Inclusione dell'ambito.",
                ),
            ],
            "Mondolfo, Sala consiliare del Comune, piazza del Comune 1",
        ),
    ),
    "041043": (
        "concertazione-pergola",
        "Tavolo di concertazione del Comune di Pergola",
        "Il Comune di Pergola e gli enti dell'entroterra concertano i servizi per gli anziani, "
        "la disabilità e i ragazzi.",
        (
            30,
            "Servizi per l'entroterra: anziani e ragazzi",
            [
                (
                    "Il centro diurno Alzheimer e il trasporto sociale",
                    "L'associazione Alzheimer e la Società di Mutuo Soccorso descrivono i bisogni "
                    "delle famiglie delle frazioni.",
                    "Si chiede al Piano di zona un trasporto sociale condiviso con i comuni vicini.",
                ),
                (
                    "Il doposcuola per i ragazzi",
                    "L'associazione La Lanterna presenta il doposcuola e i suoi numeri.",
                    "Il Comune conferma la sede per il prossimo anno scolastico.",
                ),
            ],
            "Pergola, Sala consiliare del Comune, corso Matteotti 53",
        ),
    ),
}


def seed(ctx: dict) -> None:
    from entities.models import Entity

    ctx["concertation"] = {}
    for code, (slug, name, description, meeting) in CONCERTATION.items():
        comune, staff = ctx["comuni"][code], ctx["comune_users"][code]
        table, _ = Table.objects.get_or_create(
            ambito=ctx["ambito"],
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "kind": Table.Kind.CONCERTATION,
                "comune": comune,
            },
        )
        table.coordinators.add(staff)
        entities = Entity.objects.filter(
            ambito=ctx["ambito"], status=Entity.Status.VERIFIED, seat_comune=comune
        )
        seat_entities(table, entities, decided_by=staff)
        seat_comune(table, staff, comune)
        past_meeting(table, {**ctx, "coordinator": staff}, *meeting)
        ctx["concertation"][code] = table
