"""Demo: the "Stati generali dell'innovazione sociale" with four thematic sessions, news, ten
library items (the ambito's Regolamento among them), the ambito's principles, and proposals on
two tables. Idempotent.

Reads ctx: ambito, comuni, coordinator, entity, entity_user, tables (slug -> Table; optional).
Adds ctx: "event" (the Stati generali), "proposals" (list of Proposal). In the second ambito
(ctx "second_ambito", ATS 1 Pesaro) an assembly that presents its Regolamento. Adds the demo account
socio@example.org (a delegate of the demo entity, substitute at the two tables), who supports and
comments on the proposals."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.text import slugify

from core.demo import demo_user
from entities.models import EntityMembership, TargetGroup
from participation.models import (
    Event,
    EventSession,
    LibraryItem,
    LibraryTag,
    News,
    Principle,
    Proposal,
    ProposalComment,
    ProposalSupport,
)
from tables.models import TableMembership

ROME = ZoneInfo("Europe/Rome")

SESSIONS = [
    ("Governance partecipata", "Sala del Consiglio", time(10, 0), 60, "inclusione"),
    ("Competenze del Terzo settore", "Sala Verdi", time(10, 0), 40, "famiglia"),
    ("Tecnologie per l'innovazione sociale", "Sala Rossa", time(14, 30), 40, "non-autosufficienza"),
    ("Sostenibilità dei servizi", "Sala del Consiglio", time(14, 30), 60, "salute-mentale"),
]

PRINCIPLES = [
    (
        "Pubblicità e trasparenza",
        "Ogni fase dei procedimenti e dei tavoli è documentata e consultabile: avvisi, verbali, esiti.",
    ),
    (
        "Fiducia reciproca",
        "Amministrazione ed enti collaborano in buona fede, condividendo informazioni e risorse.",
    ),
    (
        "Autonomia civica",
        "Il Terzo settore partecipa con le proprie idee e la propria organizzazione, non come esecutore.",
    ),
    (
        "Prossimità e lavoro di rete",
        "I servizi nascono vicino alle persone e mettono in rete comuni, enti e comunità.",
    ),
    ("Accessibilità", "Luoghi, strumenti e documenti sono accessibili a tutti, senza barriere."),
]

NEWS = [
    (
        "Al via i tavoli tematici del Piano di Zona 2025-2027",
        "Quattro tavoli, oltre 40 enti iscritti: si parte dall'analisi dei bisogni.",
        "<p>Sono partiti i tavoli tematici su <strong>inclusione</strong>, salute mentale, non autosufficienza e famiglia. "
        "Ogni tavolo si riunirà una volta al mese fino all'approvazione del Piano.</p>",
    ),
    (
        "Co-progettazione del centro per le famiglie: ammessi sei enti",
        "Concluso l'esame delle manifestazioni di interesse: ora i tavoli di co-progettazione.",
        "<p>L'Ufficio di Piano ha pubblicato l'elenco degli enti ammessi alla co-progettazione.</p><ul><li>Prossimo incontro: metà mese</li></ul>",
    ),
    (
        "I risultati del primo anno di amministrazione condivisa",
        "Dodici procedimenti, tre convenzioni, 25.000 ore di volontariato coinvolte.",
        "<p>Il rapporto annuale racconta attività e risultati: <em>numeri e storie</em> dai nove comuni dell'ambito.</p>",
    ),
]

LIBRARY = [
    (
        "regulation",
        "national",
        "D.Lgs. 117/2017 — Codice del Terzo settore, artt. 55-57",
        "Il fondamento dell'amministrazione condivisa.",
        "https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:decreto.legislativo:2017-07-03;117",
        ["normativa", "art. 55"],
    ),
    (
        "regulation",
        "national",
        "Corte costituzionale, sentenza n. 131/2020",
        "La Corte riconosce la co-programmazione e la co-progettazione come espressione del principio di sussidiarietà.",
        "https://www.cortecostituzionale.it/actionSchedaPronuncia.do?anno=2020&numero=131",
        ["sussidiarietà", "giurisprudenza"],
    ),
    (
        "regulation",
        "national",
        "D.M. 72/2021 — Linee guida sul rapporto tra PA ed enti del Terzo settore",
        "Le linee guida ministeriali per applicare gli artt. 55-57 del Codice.",
        "https://www.lavoro.gov.it/",
        ["linee guida", "art. 55"],
    ),
    (
        "regulation",
        "regional",
        "L.R. Marche 32/2014 — Sistema regionale integrato dei servizi sociali",
        "La legge regionale che disciplina gli ATS e i Piani di Zona.",
        "https://www.consiglio.marche.it/",
        ["Piano di Zona"],
    ),
    (
        "regulation",
        "ambito",
        "Regolamento per l'amministrazione condivisa dell'ATS",
        "Il Regolamento approvato dal Comitato dei Sindaci: principi, tavoli, procedimenti di co-programmazione e co-progettazione.",
        "https://www.example.org/regolamento-amministrazione-condivisa.pdf",
        ["regolamento"],
    ),
    (
        "good_practice",
        "",
        "Putignano: le proposte dei tavoli entrano nel Piano di Zona",
        "Come i portatori di interesse hanno presentato proposte a ogni tavolo e come sono state recepite.",
        "https://www.example.org/buone-pratiche/putignano",
        ["tavoli", "proposte"],
    ),
    (
        "good_practice",
        "",
        "Regione Toscana: la raccolta delle buone pratiche di co-progettazione",
        "Un archivio di esperienze di co-progettazione nei servizi sociali toscani.",
        "https://www.regione.toscana.it/",
        ["co-progettazione"],
    ),
    (
        "good_practice",
        "",
        "Stati generali dell'innovazione sociale: il metodo",
        "Come organizzare una giornata pubblica con sessioni tematiche e restituzione dei risultati.",
        "https://www.example.org/buone-pratiche/stati-generali",
        ["partecipazione", "eventi"],
    ),
    (
        "guide",
        "",
        "Guida per gli enti: partecipare a un avviso di co-progettazione",
        "Passo per passo: requisiti, documenti, tempi, il ruolo del RUP.",
        "https://www.example.org/guide/avviso",
        ["co-progettazione", "enti"],
    ),
    (
        "guide",
        "",
        "Guida alla redazione dei verbali dei tavoli",
        "Cosa pubblicare, cosa no: le indicazioni del Garante sulla trasparenza online.",
        "https://www.example.org/guide/verbali",
        ["tavoli", "trasparenza"],
    ),
]

PROPOSALS = [
    (
        "inclusione",
        "Sportello unico per l'orientamento al lavoro",
        "Un punto di accesso unico nei comuni più piccoli, in rete con i centri per l'impiego e gli enti del tavolo.",
        "poverta",
        Proposal.Status.ACCEPTED,
        "Accolta: diventa un intervento del Piano di Zona, area inclusione.",
    ),
    (
        "inclusione",
        "Emporio solidale diffuso",
        "Tre punti di distribuzione di beni di prima necessità gestiti da volontari, con tessera a punti.",
        "poverta",
        Proposal.Status.UNDER_STUDY,
        "In valutazione con i comuni per la disponibilità dei locali.",
    ),
    (
        "famiglia",
        "Centro estivo inclusivo",
        "Un centro estivo aperto ai minori con disabilità, con educatori formati e trasporto.",
        "famiglia-minori",
        Proposal.Status.SUBMITTED,
        "",
    ),
]


def _at(day, t: time) -> datetime:
    return datetime.combine(day, t, tzinfo=ROME)


def _event(ctx: dict) -> Event:
    ambito = ctx["ambito"]
    day = (timezone.localtime() + timedelta(days=30)).date()
    event, _created = Event.objects.update_or_create(
        ambito=ambito,
        title="Stati generali dell'innovazione sociale",
        defaults={
            "summary": "Una giornata aperta a cittadini, enti e comuni per costruire insieme il welfare dell'ambito.",
            "description": "Al mattino e al pomeriggio, quattro sessioni tematiche in parallelo. "
            "L'ingresso è libero fino a esaurimento dei posti: iscriviti alle sessioni che ti interessano.",
            "place": "Teatro della Fortuna, Fano",
            "starts_at": _at(day, time(9, 30)),
            "ends_at": _at(day, time(18, 0)),
            "status": Event.Status.PUBLISHED,
            "created_by": ctx.get("coordinator"),
        },
    )
    tables = ctx.get("tables", {})
    for title, place, start, capacity, table_slug in SESSIONS:
        EventSession.objects.update_or_create(
            event=event,
            title=title,
            defaults={
                "place": place,
                "starts_at": _at(day, start),
                "ends_at": _at(day, start) + timedelta(hours=2, minutes=30),
                "capacity": capacity,
                "table": tables.get(table_slug),
            },
        )
    return event


def _second_ambito_event(ctx: dict) -> None:
    """ATS 1 Pesaro: the public assembly on its Regolamento, so that the region's home shows each
    ambito's next event."""
    ambito = ctx.get("second_ambito")
    if ambito is None:
        return
    day = (timezone.localtime() + timedelta(days=21)).date()
    event, _created = Event.objects.update_or_create(
        ambito=ambito,
        title="Assemblea pubblica sul Regolamento dell'amministrazione condivisa",
        defaults={
            "summary": "Il tavolo presenta la bozza del Regolamento a cittadini, enti e comuni dell'ambito.",
            "description": "La bozza, articolo per articolo, e le proposte raccolte al tavolo; "
            "poi la parola a chi partecipa. L'ingresso è libero fino a esaurimento dei posti.",
            "place": "Sala del Consiglio comunale, Pesaro",
            "starts_at": _at(day, time(17, 0)),
            "ends_at": _at(day, time(19, 30)),
            "status": Event.Status.PUBLISHED,
            "created_by": ctx.get("second_coordinator"),
        },
    )
    EventSession.objects.update_or_create(
        event=event,
        title="La bozza del Regolamento",
        defaults={
            "place": "Sala del Consiglio comunale",
            "starts_at": _at(day, time(17, 0)),
            "ends_at": _at(day, time(19, 30)),
            "capacity": 120,
            "table": ctx.get("second_table"),
        },
    )


def _news(ctx: dict) -> None:
    now = timezone.now()
    for i, (title, summary, body) in enumerate(NEWS):
        News.objects.update_or_create(
            ambito=ctx["ambito"],
            title=title,
            defaults={
                "summary": summary,
                "body": body,
                "published_at": now - timedelta(days=7 * (i + 1)),
                "author": ctx.get("coordinator"),
            },
        )


def _library(ctx: dict) -> None:
    now = timezone.now()
    for i, (kind, level, title, description, url, tags) in enumerate(LIBRARY):
        item, _created = LibraryItem.objects.update_or_create(
            ambito=ctx["ambito"],
            title=title,
            defaults={
                "kind": kind,
                "level": level,
                "description": description,
                "url": url,
                "is_regolamento": level == "ambito",
                "published_at": now - timedelta(days=i),
                "created_by": ctx.get("coordinator"),
            },
        )
        item.tags.set(
            [
                LibraryTag.objects.get_or_create(slug=slugify(t), defaults={"name": t})[0]
                for t in tags
            ]
        )
    for order, (title, text) in enumerate(PRINCIPLES):
        Principle.objects.update_or_create(
            ambito=ctx["ambito"], title=title, defaults={"order": order, "text": text}
        )


def _proposals(ctx: dict) -> list[Proposal]:
    tables = ctx.get("tables") or {}
    entity, author = ctx.get("entity"), ctx.get("entity_user")
    if not tables or entity is None or author is None:
        return []
    member = demo_user("socio@example.org", first_name="Paolo", last_name="Serra")
    EntityMembership.objects.get_or_create(
        entity=entity, user=member, ended_at=None, defaults={"role": EntityMembership.Role.DELEGATE}
    )
    proposals = []
    for slug, title, text, area_code, status, answer in PROPOSALS:
        table = tables.get(slug)
        if table is None:
            continue
        TableMembership.objects.get_or_create(
            table=table,
            entity=entity,
            status=TableMembership.Status.ACTIVE,
            defaults={
                "kind": TableMembership.Kind.ENTITY,
                "delegate": author,
                "substitute": member,
            },
        )
        area = TargetGroup.objects.filter(code=area_code).first()
        proposal, _created = Proposal.objects.update_or_create(
            table=table,
            title=title,
            defaults={
                "ambito": table.ambito,
                "author": author,
                "entity": entity,
                "text": text,
                "area": area,
                "status": status,
                "answer": answer,
                "answered_at": timezone.now() if answer else None,
                "answered_by": ctx.get("coordinator") if answer else None,
            },
        )
        if area:
            proposal.target_groups.set([area])
        proposal.comuni.set(list(ctx["comuni"].values())[:2])
        ProposalSupport.objects.get_or_create(proposal=proposal, user=member)
        ProposalComment.objects.get_or_create(
            proposal=proposal,
            author=member,
            defaults={"text": "La sosteniamo: nel nostro comune il bisogno è forte."},
        )
        proposals.append(proposal)
    return proposals


def seed(ctx: dict) -> None:
    ctx["event"] = _event(ctx)
    _second_ambito_event(ctx)
    _news(ctx)
    _library(ctx)
    ctx["proposals"] = _proposals(ctx)
