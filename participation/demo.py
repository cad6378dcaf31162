"""Demo: the "Stati generali dell'innovazione sociale", held two months ago in four thematic
sessions, followed by its report (a news item and a PDF in the library) and the proposals it
produced, presented to the sessions' tables; news that tell what the other demos hold; the library
with real public documents (the ambito's Regolamento among them); the ten principles of the
Regolamento (both ambiti); and the next public event, the presentation of the Piano di Zona.
Idempotent.

Reads ctx: ambito, comuni, coordinator, entity, entity_user, tables (slug -> Table; optional).
Adds ctx: "event" (the Stati generali), "report" (its News), "proposals" (list of Proposal). In
the second ambito (ctx "second_ambito", ATS 1 Pesaro) an assembly that presents its Regolamento.
Citizens' public proposals: participation.demo_citizens.
Adds the demo account socio@example.org (a delegate of the demo entity, substitute at its
tables), who supports and comments on the proposals."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.text import slugify

from core import pdf
from core.demo import demo_user
from entities.models import Entity, EntityMembership, TargetGroup
from participation import demo_citizens
from participation.demo_data import (
    LIBRARY,
    NEWS,
    PRINCIPLES,
    PROPOSALS,
    REPORT_DAYS_AFTER,
    RETIRED_LIBRARY,
    RETIRED_NEWS,
    SESSIONS,
    STATI_GENERALI,
    STATI_GENERALI_DAYS_AGO,
    UPCOMING_EVENT,
)
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
REPORT_TITLE = f"{STATI_GENERALI}: il resoconto"


def _at(day, t: time) -> datetime:
    return datetime.combine(day, t, tzinfo=ROME)


def _event(ctx: dict) -> Event:
    """The Stati generali, held STATI_GENERALI_DAYS_AGO days ago: a published past event."""
    ambito = ctx["ambito"]
    day = (timezone.localtime() - timedelta(days=STATI_GENERALI_DAYS_AGO)).date()
    event, _created = Event.objects.update_or_create(
        ambito=ambito,
        title=STATI_GENERALI,
        defaults={
            "summary": "Una giornata aperta a cittadini, enti e comuni per costruire insieme il "
            "welfare dell'ambito: quattro sessioni tematiche e le proposte portate ai tavoli.",
            "description": "Al mattino e al pomeriggio, quattro sessioni tematiche in parallelo, "
            "ciascuna con il suo tavolo tematico. Il resoconto della giornata e le proposte "
            "emerse sono pubblicati nelle notizie e nella biblioteca.",
            "place": "Teatro della Fortuna, Fano",
            "starts_at": _at(day, time(9, 30)),
            "ends_at": _at(day, time(18, 0)),
            "registration_closes_at": _at(day - timedelta(days=2), time(23, 0)),
            "status": Event.Status.PUBLISHED,
            "created_by": ctx.get("coordinator"),
        },
    )
    tables = ctx.get("tables", {})
    for title, place, start, capacity, table_slug, _outcome in SESSIONS:
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


def _upcoming_event(ctx: dict) -> Event:
    """The next public event of ATS 6 (the home shows it): the Piano di Zona, in consultation."""
    day = (timezone.localtime() + timedelta(days=30)).date()
    event, _created = Event.objects.update_or_create(
        ambito=ctx["ambito"],
        title=UPCOMING_EVENT,
        defaults={
            "summary": "Il Piano di Zona in consultazione, con le proposte dei tavoli e degli "
            "Stati generali che vi sono entrate.",
            "description": "L'Ufficio di Piano presenta la bozza del Piano; i tavoli raccontano "
            "le proposte accolte; poi la parola a chi partecipa. Ingresso libero fino a "
            "esaurimento dei posti.",
            "place": "Sala della Concordia, Palazzo del Comune, Fano",
            "starts_at": _at(day, time(17, 0)),
            "ends_at": _at(day, time(19, 30)),
            "status": Event.Status.PUBLISHED,
            "created_by": ctx.get("coordinator"),
        },
    )
    EventSession.objects.update_or_create(
        event=event,
        title="Plenaria",
        defaults={
            "place": "Sala della Concordia",
            "starts_at": _at(day, time(17, 0)),
            "ends_at": _at(day, time(19, 30)),
            "capacity": 150,
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
    News.objects.filter(ambito=ctx["ambito"], title__in=RETIRED_NEWS).delete()
    for title, summary, body, days_ago in NEWS:
        News.objects.update_or_create(
            ambito=ctx["ambito"],
            title=title,
            defaults={
                "summary": summary,
                "body": body,
                "published_at": now - timedelta(days=days_ago, hours=1),
                "author": ctx.get("coordinator"),
            },
        )


def _library(ctx: dict) -> None:
    now = timezone.now()
    LibraryItem.objects.filter(ambito=ctx["ambito"], title__in=RETIRED_LIBRARY).delete()
    for i, (kind, level, title, description, url, source, year, tags) in enumerate(LIBRARY):
        item, _created = LibraryItem.objects.update_or_create(
            ambito=ctx["ambito"],
            title=title,
            defaults={
                "kind": kind,
                "level": level,
                "description": description,
                "url": url,
                "source": source,
                "year": year,
                "is_regolamento": level == "ambito",
                "published_at": now - timedelta(days=100 + i),
                "created_by": ctx.get("coordinator"),
            },
        )
        item.tags.set(
            [
                LibraryTag.objects.get_or_create(slug=slugify(t), defaults={"name": t})[0]
                for t in tags
            ]
        )
    _principles(ctx["ambito"])
    _principles(ctx.get("second_ambito"))


def _principles(ambito) -> None:
    if ambito is None:
        return
    for order, (title, text) in enumerate(PRINCIPLES):
        Principle.objects.update_or_create(
            ambito=ambito, title=title, defaults={"order": order, "text": text}
        )


def _seat(table, entity, ctx: dict):
    """The entity's seat at the table (tables.demo seats them; the demo's own entity is seated
    here when the tables demo did not)."""
    seat = (
        TableMembership.objects.current().filter(table=table, entity=entity).order_by("pk").first()
    )
    if seat is None and entity == ctx.get("entity"):
        seat = TableMembership.objects.create(
            table=table,
            entity=entity,
            kind=TableMembership.Kind.ENTITY,
            delegate=ctx["entity_user"],
            status=TableMembership.Status.ACTIVE,
            decided_at=timezone.now() - timedelta(days=STATI_GENERALI_DAYS_AGO + 30),
        )
    return seat


def _proposals(ctx: dict, event: Event) -> list[Proposal]:
    """The proposals presented after the Stati generali to the tables of its sessions, by the
    delegates of the entities seated there; the demo's socio@ supports those of its tables."""
    tables = ctx.get("tables") or {}
    if not tables or ctx.get("entity") is None or ctx.get("entity_user") is None:
        return []
    member = demo_user("socio@example.org", first_name="Paolo", last_name="Serra")
    EntityMembership.objects.get_or_create(
        entity=ctx["entity"],
        user=member,
        ended_at=None,
        defaults={"role": EntityMembership.Role.DELEGATE},
    )
    coordinator, proposals = ctx.get("coordinator"), []
    for slug, session, title, text, area_code, status, answer, by, after in PROPOSALS:
        table = tables.get(slug)
        entity = ctx["entity"] if by is None else Entity.objects.filter(name=by).first()
        if table is None or entity is None:
            continue
        seat = _seat(table, entity, ctx)
        if seat is None:
            continue
        if entity == ctx["entity"] and seat.substitute_id is None:
            seat.substitute = member
            seat.save(update_fields=["substitute"])
        presented = event.ends_at + timedelta(days=after)
        area = TargetGroup.objects.filter(code=area_code).first()
        proposal, _created = Proposal.objects.update_or_create(
            table=table,
            title=title,
            defaults={
                "ambito": table.ambito,
                "author": seat.delegate,
                "entity": entity,
                "text": f"Dalla sessione «{session}» degli {STATI_GENERALI} "
                f"({date_format(timezone.localtime(event.starts_at), 'j F Y')}). {text}",
                "area": area,
                "status": status,
                "answer": answer,
                "answered_at": presented + timedelta(days=21) if answer else None,
                "answered_by": coordinator if answer else None,
            },
        )
        Proposal.objects.filter(pk=proposal.pk).update(created_at=presented)
        if area:
            proposal.target_groups.set([area])
        proposal.comuni.set(list(ctx["comuni"].values())[:2])
        if entity == ctx["entity"]:
            ProposalSupport.objects.get_or_create(proposal=proposal, user=member)
            ProposalComment.objects.get_or_create(
                proposal=proposal,
                author=member,
                defaults={"text": "La sosteniamo: nel nostro comune il bisogno è forte."},
            )
        proposals.append(proposal)
    return proposals


def _report(ctx: dict, event: Event, proposals: list[Proposal]) -> News:
    """The report of the Stati generali: a news item, and the same text as a PDF in the library."""
    day = date_format(timezone.localtime(event.starts_at), "j F Y")
    sessions = [
        f"{title} (tavolo {ctx['tables'][slug].name if slug in ctx.get('tables', {}) else slug}): "
        f"{outcome}"
        for title, _place, _start, _capacity, slug, outcome in SESSIONS
    ]
    presented = [(p, p.table, p.entity) for p in proposals if p.table and p.entity]
    answered = [
        f"{p.title} — tavolo {table.name}, proposta da {entity.name}: "
        f"{p.get_status_display().lower()}"
        for p, table, entity in presented
    ]
    opening = (
        f"Il {day} circa duecento persone tra cittadini, enti del Terzo settore e comuni hanno "
        f"partecipato agli {STATI_GENERALI} al Teatro della Fortuna di Fano. Dopo la giornata, "
        f"{len(proposals)} proposte sono state presentate ai tavoli tematici."
    )
    body = (
        f"<p>{escape(opening)}</p><h3>Le sessioni</h3><ul>"
        + "".join(f"<li>{escape(s)}</li>" for s in sessions)
        + "</ul><h3>Le proposte presentate ai tavoli</h3><ul>"
        + "".join(
            f"<li><strong>{escape(p.title)}</strong> — "
            f'<a href="{table.get_absolute_url()}">tavolo {escape(table.name)}</a>, '
            f"proposta da {escape(entity.name)}: "
            f"{escape(p.get_status_display().lower())}</li>"
            for p, table, entity in presented
        )
        + "</ul><p>Il resoconto completo è nella biblioteca.</p>"
    )
    published = event.ends_at + timedelta(days=REPORT_DAYS_AFTER)
    report, _created = News.objects.update_or_create(
        ambito=ctx["ambito"],
        title=REPORT_TITLE,
        defaults={
            "summary": f"Quattro sessioni, {len(proposals)} proposte ai tavoli: com'è andata la "
            "giornata e che cosa ne è nato.",
            "body": body,
            "published_at": published,
            "author": ctx.get("coordinator"),
        },
    )
    item = LibraryItem.objects.filter(ambito=ctx["ambito"], title=REPORT_TITLE).first()
    if item is None:
        content = pdf.render_pdf(
            "pdf/processes_document.html",
            {"title": REPORT_TITLE, "paragraphs": [opening, *sessions, *answered]},
        )
        item = LibraryItem(
            ambito=ctx["ambito"],
            title=REPORT_TITLE,
            kind=LibraryItem.Kind.GOOD_PRACTICE,
            description="Il resoconto della giornata: le sessioni, i temi e le proposte "
            "presentate ai tavoli tematici.",
            source="Ufficio di Piano dell'ATS 6",
            year=published.year,
            published_at=published,
            created_by=ctx.get("coordinator"),
        )
        item.file.save("resoconto-stati-generali.pdf", ContentFile(content), save=False)
        item.save()
    return report


def seed(ctx: dict) -> None:
    event = ctx["event"] = _event(ctx)
    _upcoming_event(ctx)
    _second_ambito_event(ctx)
    _news(ctx)
    _library(ctx)
    ctx["proposals"] = _proposals(ctx, event)
    if ctx.get("tables"):
        ctx["report"] = _report(ctx, event, ctx["proposals"])
    demo_citizens.seed(ctx)
