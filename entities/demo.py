"""Demo: Third Sector entities of the ATS 6 area (one per sector, as at Fano's first PON Inclusione
meeting, then the others that joined the four tables: over forty, each with a delegate), the two
applicants of the processes demo (ente2@ and ente3@example.org administer them), the partners
that sit at tables without being ETS (a union, a school, an informal group: verified as
participants, not counted as ETS), two pending registrations, and ente@example.org as
administrator of one of them; and four verified entities of the second ambito (ctx
"second_ambito", ATS 1 Pesaro), for its directory and the regional one.

ctx keys added: `entity` (Associazione Il Ponte ODV, verified), `entity_user` (ente@example.org),
`entities` (tax code -> Entity, all demo entities), `pending_entities` (list of the two pending)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from core import audit
from core.demo import demo_person, demo_user
from entities.models import LEGAL_FORM_RULES, Activity, Entity, EntityMembership, TargetGroup
from entities.validators import numeric_check_digit

F = Entity.LegalForm
S = Entity.RunstSection


def _code(base: str) -> str:
    return base + str(numeric_check_digit(base))


# name, legal form, RUNTS section, seat ISTAT code, activities, target groups, volunteers,
# employees, description. The union, the school and the informal group are not ETS (their legal
# forms say so: LEGAL_FORM_RULES): no RUNTS data, participants of tables only.
SECTORS = [
    ("Associazione Il Ponte ODV", F.ODV, S.A, "041013", "a,u", "poverta,famiglia-minori", 40, 0,
     "Accompagnamento di persone e famiglie in difficoltà, distribuzione di beni di prima necessità."),
    ("Caritas diocesana Fano - ramo ETS", F.RELIGIOUS, S.G, "041013", "a,u,q", "poverta,immigrati", 120, 6,
     "Centro di ascolto, mensa, dormitorio di emergenza e sportello per il lavoro."),
    ("Cooperativa sociale Labirinto", F.COOP_A, S.D, "041013", "a,c,d", "disabili,anziani,famiglia-minori", 5, 180,
     "Servizi educativi, domiciliari e residenziali per minori, persone con disabilità e anziani."),
    ("Cooperativa sociale Il Mosaico (tipo B)", F.COOP_B, S.D, "041029", "p,e", "dipendenze,poverta", 3, 45,
     "Inserimento lavorativo di persone svantaggiate nella manutenzione del verde e nei servizi ambientali."),
    ("Fondazione Cassa di Risparmio di Fano", F.FOUNDATION, S.C, "041013", "f,i,u", "multiutenza", 0, 8,
     "Sostegno a progetti sociali, culturali e di welfare di comunità del territorio."),
    ("CGIL Camera del Lavoro di Fano", F.UNION, "", "041013", "w", "multiutenza", 15, 4,
     "Tutela dei diritti dei lavoratori e dei pensionati, sportello per l'accesso ai servizi."),
    ("Parrocchia San Paterniano - ramo ETS", F.RELIGIOUS, S.G, "041013", "i,l,u", "famiglia-minori,anziani", 60, 0,
     "Oratorio, doposcuola e attività per anziani soli."),
    ("AUSER Mondolfo APS", F.APS, S.B, "041029", "a,i", "anziani", 35, 0,
     "Trasporto solidale, compagnia telefonica e attività ricreative per persone anziane."),
    ("ANFFAS Fano ODV", F.ODV, S.A, "041013", "a,c", "disabili,famiglia-minori", 50, 12,
     "Sostegno alle famiglie di persone con disabilità intellettiva, progetti Dopo di noi."),
    ("Croce Rossa Italiana - Comitato di Fano ODV", F.ODV, S.A, "041013", "a,y,c", "multiutenza", 200, 10,
     "Trasporti sanitari, protezione civile, distribuzione alimentare."),
    ("Associazione Alzheimer Marche Nord ODV", F.ODV, S.A, "041043", "c,a", "anziani", 25, 2,
     "Caffè Alzheimer, gruppi di sostegno ai familiari, formazione dei caregiver."),
    ("Comunità di Sant'Egidio Fano", F.ASSOCIATION, S.G, "041013", "u,r", "poverta,immigrati", 40, 0,
     "Scuola di lingua italiana, cene per le persone senza dimora."),
    ("Associazione Genitori Insieme APS", F.APS, S.B, "041051", "l,d", "famiglia-minori", 20, 0,
     "Gruppi di mutuo aiuto tra genitori, laboratori contro la povertà educativa."),
    ("Polisportiva Mondavio ASD APS", F.APS, S.B, "041028", "t,l", "famiglia-minori,disabili", 30, 1,
     "Sport per tutti, attività motoria adattata, centri estivi."),
    ("Cooperativa sociale Casa della Gioventù", F.COOP_A, S.D, "041054", "a,r,q", "immigrati,famiglia-minori", 4, 60,
     "Accoglienza di minori stranieri non accompagnati e di richiedenti asilo."),
    ("Cooperativa sociale T41 (tipo B)", F.COOP_B, S.D, "041043", "p,s", "dipendenze,disabili", 2, 38,
     "Agricoltura sociale e laboratori di inserimento lavorativo."),
    ("Impresa sociale Abitare Solidale srl", F.SOCIAL_ENTERPRISE, S.D, "041013", "q,a", "poverta,anziani", 0, 7,
     "Housing sociale e agenzia per l'abitare."),
    ("CSV Marche ETS - sede di Fano", F.NETWORK, S.E, "041013", "m,i", "multiutenza", 10, 5,
     "Servizi di consulenza, formazione e promozione per il volontariato."),
    ("Società di Mutuo Soccorso di Pergola", F.MUTUAL_AID, S.F, "041043", "b,u", "anziani", 18, 0,
     "Mutualità sanitaria integrativa e sostegno ai soci in difficoltà."),
    ("Associazione Libera Pesaro e Urbino", F.APS, S.B, "041013", "v,w", "multiutenza", 22, 0,
     "Educazione alla legalità nelle scuole, riuso dei beni confiscati."),
    ("Banco Alimentare Marche ODV - punto di Fano", F.ODV, S.A, "041013", "u", "poverta", 70, 1,
     "Recupero delle eccedenze alimentari e distribuzione agli enti caritativi."),
    ("Associazione Dipendenze Zero ODV", F.ODV, S.A, "041029", "c,a", "dipendenze", 15, 0,
     "Gruppi di auto-mutuo aiuto e sostegno alle famiglie di persone con dipendenze."),
    ("Centro Antiviolenza Parla con Noi APS", F.APS, S.B, "041013", "w,a", "famiglia-minori", 28, 3,
     "Ascolto, accoglienza e protezione delle donne vittime di violenza."),
    ("Istituto Comprensivo Gandiglio", F.SCHOOL, "", "041013", "d,l", "famiglia-minori", 0, 90,
     "Scuola dell'infanzia, primaria e secondaria di primo grado: progetti di inclusione."),
    ("Gruppo informale Vicini di Casa Terre Roveresche", F.INFORMAL, "", "041070", "a,i", "anziani", 12, 0,
     "Rete di vicinato per le persone anziane sole delle frazioni."),
    # the entities that joined the four tables when they started (see tables.demo)
    ("Associazione Oltre il Muro ODV - familiari per la salute mentale", F.ODV, S.A, "041013", "c,a", "multiutenza,disabili", 18, 0,
     "Auto-mutuo aiuto per i familiari di persone con disturbo psichico, in rete con il DSM."),
    ("Cooperativa sociale Le Querce", F.COOP_A, S.D, "041029", "c,a", "anziani,disabili", 3, 95,
     "Centri diurni per persone con demenza e assistenza domiciliare integrata."),
    ("AVULSS Fano ODV", F.ODV, S.A, "041013", "a,c", "anziani", 45, 0,
     "Volontari nelle residenze e a domicilio: compagnia e sostegno alle persone anziane e malate."),
    ("Associazione La Lanterna APS", F.APS, S.B, "041043", "i,l", "famiglia-minori", 25, 1,
     "Doposcuola e centro di aggregazione per ragazze e ragazzi a Pergola."),
    ("Fondazione Casa Serena ETS", F.FOUNDATION, S.G, "041054", "a,c,q", "anziani", 20, 40,
     "Residenza protetta e alloggi con servizi per anziani a San Lorenzo in Campo."),
    ("Associazione Arcobaleno APS", F.APS, S.B, "041070", "a,i,t", "disabili", 30, 0,
     "Tempo libero, vacanze di sollievo e sport per persone con disabilità."),
    ("Cooperativa sociale Tragitti (tipo B)", F.COOP_B, S.D, "041013", "p,z", "poverta,dipendenze", 2, 28,
     "Pulizie, logistica e cura di spazi pubblici con persone svantaggiate."),
    ("Associazione Mondo Aperto APS", F.APS, S.B, "041013", "r,d", "immigrati", 20, 4,
     "Mediazione linguistico-culturale, corsi di italiano e sportello per i cittadini stranieri."),
    ("Associazione Il Samaritano ODV", F.ODV, S.A, "041029", "u,a", "poverta", 35, 0,
     "Mensa solidale e pacchi alimentari a Mondolfo e Marotta."),
    ("Famiglie per l'Accoglienza - Fano ODV", F.ODV, S.A, "041013", "a,l", "famiglia-minori", 30, 0,
     "Reti di famiglie per l'affido e l'accoglienza di minori."),
    ("Cooperativa sociale Il Faro", F.COOP_A, S.D, "041013", "a,c", "multiutenza,dipendenze", 2, 70,
     "Comunità terapeutica e servizi per le dipendenze e la salute mentale."),
    ("Associazione Anziani Attivi Monte Porzio APS", F.APS, S.B, "041038", "i,a", "anziani", 28, 0,
     "Centro sociale per anziani, ginnastica dolce e laboratori della memoria."),
    ("Associazione Comunità Fratte Rosa APS", F.APS, S.B, "041016", "i,a", "anziani,multiutenza", 15, 0,
     "Trasporto solidale e consegna della spesa nelle frazioni."),
    ("ACLI Fano APS", F.APS, S.B, "041013", "a,w", "multiutenza,poverta", 40, 3,
     "Sportello per le famiglie, orientamento ai servizi e al lavoro."),
    ("Consultorio familiare La Famiglia ODV", F.ODV, S.A, "041013", "c,a", "famiglia-minori", 22, 2,
     "Consulenza psicologica, legale e di coppia; sostegno alla genitorialità."),
    ("Cooperativa sociale Sirio", F.COOP_A, S.D, "041043", "a,d", "disabili,famiglia-minori", 1, 52,
     "Assistenza educativa scolastica e centri socio-educativi per persone con disabilità."),
    ("Associazione Liberi di Muoversi ODV", F.ODV, S.A, "041051", "a,u", "disabili", 20, 0,
     "Trasporto accessibile e accompagnamento per persone con disabilità motoria."),
    ("Associazione Una Casa per Tutti ODV", F.ODV, S.A, "041013", "q,u", "poverta", 26, 0,
     "Accoglienza notturna e accompagnamento delle persone senza dimora."),
    ("Impresa sociale Welfare in Rete srl", F.SOCIAL_ENTERPRISE, S.D, "041029", "a,m", "anziani,multiutenza", 0, 12,
     "Sportello per l'assistenza familiare e servizi di conciliazione per le famiglie."),
]  # fmt: skip

# The two entities that apply, with the demo's own, to the processes demo's procedures: their
# administrators are demo accounts. Tax codes kept from the processes demo that created them.
APPLICANTS = [
    ("90023450411", "ente2@example.org", ("Anna", "Galli"),
     ("Cooperativa Sociale Casa Aperta", F.COOP_A, S.D, "041013", "a,c", "anziani,disabili,poverta", 4, 65,
      "Assistenza domiciliare, accoglienza diurna e accompagnamento di anziani e adulti fragili.")),
    ("90034560412", "ente3@example.org", ("Paolo", "Conti"),
     ("Auser Valle del Metauro APS", F.APS, S.B, "041029", "a,i", "anziani,poverta", 38, 0,
      "Trasporto solidale, consegna della spesa e compagnia per anziani soli e famiglie in difficoltà.")),
]  # fmt: skip

FIRST_NAMES = [
    "Alessandra", "Giovanni", "Martina", "Roberto", "Silvia", "Andrea", "Valentina", "Matteo",
    "Federica", "Simone", "Monica", "Alberto", "Laura", "Michele", "Cristina", "Enrico",
]  # fmt: skip
LAST_NAMES = [
    "Pierini", "Gasparini", "Bracci", "Vitali", "Renzi", "Marcolini", "Pagnini", "Uguccioni",
    "Ciaroni", "Ferretti", "Rosati", "Montanari", "Sorcinelli", "Bacchiocchi", "Omiccioli",
]  # fmt: skip

PENDING = [
    ("Associazione Nuovi Orizzonti APS", F.APS, S.B, "041038", "i,l", "famiglia-minori", 14, 0,
     "Laboratori artistici per ragazzi e centro di aggregazione giovanile."),
    ("Cooperativa sociale Fratte Verdi", F.COOP_B, S.D, "041016", "p,s", "disabili", 1, 9,
     "Orti sociali e inserimento lavorativo di persone con disabilità."),
]  # fmt: skip

# ATS 1 Pesaro (same columns): its seats are among its comuni (ambito.demo.ATS1_COMUNI).
SECOND_SECTORS = [
    ("Associazione Pesaro Solidale ODV", F.ODV, S.A, "041044", "a,u", "poverta,immigrati", 55, 1,
     "Centro di ascolto, emporio solidale e accompagnamento ai servizi."),
    ("Cooperativa sociale Il Girasole", F.COOP_A, S.D, "041044", "a,c,d", "anziani,disabili", 6, 140,
     "Assistenza domiciliare, centri diurni per anziani e per persone con disabilità."),
    ("AUSER Vallefoglia APS", F.APS, S.B, "041068", "a,i", "anziani", 40, 0,
     "Trasporto solidale e attività contro la solitudine delle persone anziane."),
    ("Polisportiva Gabicce ASD APS", F.APS, S.B, "041019", "t,l", "famiglia-minori,disabili", 25, 1,
     "Sport per tutti e centri estivi inclusivi."),
]  # fmt: skip

REPRESENTATIVES = [
    "Lucia Ferri", "Marco Giommi", "Elena Paolini", "Davide Santini", "Chiara Bartolucci",
    "Stefano Rossini", "Francesca Tonelli", "Luca Mancini", "Sara Fattori", "Paolo Cecchini",
]  # fmt: skip

OPERATING = [
    "041013",
    "041016",
    "041028",
    "041029",
    "041038",
    "041043",
    "041051",
    "041054",
    "041070",
]


def _seed_one(
    ctx,
    index: int,
    row,
    status: str,
    *,
    ambito=None,
    comuni=None,
    operating=OPERATING,
    postal_code="61032",
    tax_code: str = "",
) -> Entity:
    name, form, section, seat, activities, groups, volunteers, employees, description = row
    ambito = ambito or ctx["ambito"]
    comuni = comuni or ctx["comuni"]
    registered = bool(section) and LEGAL_FORM_RULES[form].can_be_ets
    tax_code = tax_code or _code(f"9{index:09d}")
    entity, created = Entity.objects.update_or_create(
        tax_code=tax_code,
        defaults={
            "ambito": ambito,
            "name": name,
            "legal_form": form,
            "runts_section": section,
            "runts_status": Entity.RunstStatus.REGISTERED
            if registered
            else Entity.RunstStatus.NOT_REGISTERED,
            "runts_number": f"{100000 + index}" if registered else None,
            "runts_date": date(2022, 1 + index % 12, 1 + index % 27) if registered else None,
            "address": f"Via Garibaldi {index + 1}",
            "postal_code": postal_code,
            "seat_comune": comuni[seat],
            "email": f"info{index}@enti.example.org",
            "phone": f"0721 80{index:04d}",
            "legal_representative": REPRESENTATIVES[(index - 1) % len(REPRESENTATIVES)],
            "volunteers": volunteers,
            "employees": employees,
            "description": description,
            "status": status,
            "status_changed_at": timezone.now(),
        },
    )
    entity.activities.set(Activity.objects.filter(code__in=activities.split(",")))
    entity.target_groups.set(TargetGroup.objects.filter(code__in=groups.split(",")))
    entity.operating_comuni.set([comuni[seat], *(comuni[c] for c in operating[index % 3 :: 3])])
    if created:  # a history for staff to read on the profile
        audit.record(
            actor=None, action="entities.entity.registered", obj=entity, ambito_id=entity.ambito_id
        )
        if status == Entity.Status.VERIFIED:
            audit.record(
                actor=ctx.get("coordinator"),
                action="entities.entity.verified",
                obj=entity,
                changes={"status": {"before": "pending", "after": "verified"}},
                ambito_id=entity.ambito_id,
            )
    return entity


def seed(ctx: dict) -> None:
    entities = {}
    for index, row in enumerate(SECTORS, 1):
        entity = _seed_one(ctx, index, row, Entity.Status.VERIFIED)
        entities[entity.tax_code] = entity
    pending = [_seed_one(ctx, 100 + i, row, Entity.Status.PENDING) for i, row in enumerate(PENDING)]
    entities.update({e.tax_code: e for e in pending})
    main = next(iter(entities.values()))
    representative = demo_user("ente@example.org", first_name="Lucia", last_name="Ferri")
    EntityMembership.objects.get_or_create(
        entity=main,
        user=representative,
        ended_at=None,
        defaults={"role": EntityMembership.Role.ADMIN},
    )
    for index, (tax_code, email, (first, last), row) in enumerate(APPLICANTS, 300):
        entity = _seed_one(ctx, index, row, Entity.Status.VERIFIED, tax_code=tax_code)
        entities[entity.tax_code] = entity
        admin = demo_user(email, first_name=first, last_name=last)
        EntityMembership.objects.get_or_create(
            entity=entity, user=admin, ended_at=None, defaults={"role": EntityMembership.Role.ADMIN}
        )
    _delegates(entities.values())
    ctx.update(entity=main, entity_user=representative, entities=entities, pending_entities=pending)
    _second_ambito(ctx)


def _delegates(entities) -> None:
    """A delegate for each verified entity without people, who represents it at the tables."""
    staffed = set(
        EntityMembership.objects.current()
        .filter(entity__in=[e.pk for e in entities])
        .values_list("entity_id", flat=True)
    )
    for entity in entities:
        if entity.pk in staffed or entity.status != Entity.Status.VERIFIED:
            continue
        n = int(entity.tax_code[1:10])
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        user = demo_person(
            f"{first}.{last}.{n}@enti.example.org".lower(), first_name=first, last_name=last
        )
        EntityMembership.objects.get_or_create(
            entity=entity,
            user=user,
            ended_at=None,
            defaults={"role": EntityMembership.Role.DELEGATE},
        )


def _second_ambito(ctx: dict) -> None:
    ambito = ctx.get("second_ambito")
    if ambito is None:
        return
    comuni = {c.istat_code: c for c in ambito.comuni.all()}
    for index, row in enumerate(SECOND_SECTORS, 200):
        _seed_one(
            ctx,
            index,
            row,
            Entity.Status.VERIFIED,
            ambito=ambito,
            comuni=comuni,
            operating=sorted(comuni),
            postal_code="61121",
        )
