"""Demo: a closed co-programmazione "Inclusione sociale" with its documento di sintesi (its admitted
entities sit at the Inclusione table from their admission), and an open co-progettazione "Non
autosufficienza" with applications from three verified entities, each asking what its size
carries.

Adds to ctx: "procedures" = {"inclusione": Procedure, "non_autosufficienza": Procedure}."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from core import pdf
from core.demo import demo_user
from entities.models import Activity, Entity, EntityMembership, TargetGroup
from processes import protocol, services
from processes.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Declaration,
    Notice,
    OutcomeDocument,
    Procedure,
    ProcedureStep,
)
from tables.models import Table, TableMembership

EXTRA_ENTITIES = [
    (
        "90023450411",
        "Cooperativa Sociale Casa Aperta",
        Entity.LegalForm.COOP_A,
        "d",
        "ente2@example.org",
        ("Anna", "Galli"),
    ),
    (
        "90034560412",
        "Auser Valle del Metauro APS",
        Entity.LegalForm.APS,
        "b",
        "ente3@example.org",
        ("Paolo", "Conti"),
    ),
]


def _table(ctx, slug: str, name: str) -> Table:
    table = (ctx.get("tables") or {}).get(slug)
    if table is None:
        table, _ = Table.objects.get_or_create(
            ambito=ctx["ambito"], slug=slug, defaults={"name": name}
        )
    return table


def _document(title: str, paragraphs: list[str]) -> ContentFile:
    content = pdf.render_pdf(
        "pdf/processes_document.html", {"title": title, "paragraphs": paragraphs}
    )
    return ContentFile(content, name=f"{title.lower().replace(' ', '-')[:60]}.pdf")


def _entities(ctx) -> list[tuple[Entity, object]]:
    """Three verified entities of the ambito, each with an administrator (who submits): the
    entities demo's own, then two more with demo administrators when fewer than three have one."""
    ambito = ctx["ambito"]
    for tax_code, name, form, section, email, (first, last) in EXTRA_ENTITIES:
        with_admin = Entity.objects.filter(
            EntityMembership.current_q("memberships__"),
            ambito=ambito,
            status=Entity.Status.VERIFIED,
            memberships__role=EntityMembership.Role.ADMIN,
        ).distinct()
        if with_admin.count() >= 3 and not Entity.objects.filter(tax_code=tax_code).exists():
            break
        entity, _ = Entity.objects.get_or_create(
            tax_code=tax_code,
            defaults={
                "ambito": ambito,
                "name": name,
                "legal_form": form,
                "runts_section": section,
                "runts_status": Entity.RunstStatus.REGISTERED,
                "runts_number": f"R{tax_code[-5:]}",
                "address": "Via Roma 1",
                "seat_comune": ambito.lead_comune,
                "email": f"info@{tax_code}.example.org",
                "legal_representative": f"{first} {last}",
                "status": Entity.Status.VERIFIED,
            },
        )
        entity.activities.add(*Activity.objects.filter(code__in=["a", "c"]))
        entity.target_groups.add(*TargetGroup.objects.filter(code__in=["anziani", "disabili"]))
        user = demo_user(email, first_name=first, last_name=last)
        EntityMembership.objects.get_or_create(
            entity=entity, user=user, ended_at=None, defaults={"role": EntityMembership.Role.ADMIN}
        )
    result = []
    entities = list(
        Entity.objects.filter(ambito=ambito, status=Entity.Status.VERIFIED).order_by("pk")
    )
    if ctx.get("entity") in entities:
        entities.remove(ctx["entity"])
        entities.insert(0, ctx["entity"])
    for entity in entities:
        admin = (
            EntityMembership.objects.current()
            .filter(entity=entity, role=EntityMembership.Role.ADMIN)
            .select_related("user")
            .first()
        )
        if admin:
            result.append((entity, admin.user))
        if len(result) == 3:
            break
    return result


def _step(procedure, source, target, when, actor, act=""):
    ProcedureStep.objects.get_or_create(
        procedure=procedure,
        to_status=target,
        defaults={"from_status": source, "occurred_at": when, "actor": actor, "act_reference": act},
    )


def _inclusione(ctx, entities) -> Procedure:
    ambito, coordinator = ctx["ambito"], ctx["coordinator"]
    existing = Procedure.objects.filter(
        ambito=ambito, title="Co-programmazione per l'inclusione sociale"
    ).first()
    if existing:
        return existing
    now = timezone.now()
    start = now - timedelta(days=200)
    procedure = Procedure.objects.create(
        ambito=ambito,
        kind=Procedure.Kind.COPROGRAMMING,
        title="Co-programmazione per l'inclusione sociale",
        subject="Individuare i bisogni, gli interventi e le risorse per il contrasto alla povertà e l'inclusione sociale nel Piano di Zona.",
        status="closed",
        rup=coordinator,
        origin=Procedure.Origin.EX_OFFICIO,
        legal_basis="Piano di Zona 2025-2027, delibera del Comitato dei Sindaci n. 3/2025",
        created_by=coordinator,
    )
    procedure.activities.set(Activity.objects.filter(code__in=["a", "u", "p"]))
    procedure.target_groups.set(TargetGroup.objects.filter(code__in=["poverta", "famiglia-minori"]))
    procedure.tables.set([_table(ctx, "inclusione", "Inclusione")])
    Notice.objects.create(
        procedure=procedure,
        version=1,
        subject="Avviso pubblico per la partecipazione alla co-programmazione sull'inclusione sociale.",
        requirements="Enti del Terzo settore iscritti al RUNTS che operano nel territorio dell'ATS 6.",
        documents_required="Statuto dell'ente.",
        deadline=start + timedelta(days=30),
        published_at=start + timedelta(days=5),
        published_by=coordinator,
        notified_at=start + timedelta(days=5),
    )
    path = [
        ("", "started", 0, ""),
        ("started", "notice_published", 5, "Determina n. 112"),
        ("notice_published", "admission", 31, ""),
        ("admission", "table", 40, "Determina n. 150"),
        ("table", "outcome", 150, "Determina n. 402"),
        ("outcome", "closed", 170, ""),
    ]
    for source, target, days, act in path:
        _step(procedure, source, target, start + timedelta(days=days), coordinator, act)
    for number, (entity, admin) in enumerate(entities, start=1):
        Application.objects.create(
            procedure=procedure,
            entity=entity,
            status=ApplicationStatus.ADMITTED,
            protocol_number=protocol.next_number(
                ambito=ambito, when=start + timedelta(days=10 + number)
            ),
            protocol_date=start + timedelta(days=10 + number),
            submitted_at=start + timedelta(days=10 + number),
            submitted_by=admin,
            declarations=list(Declaration.values),
            decided_at=start + timedelta(days=35),
            decided_by=coordinator,
        )
    OutcomeDocument.objects.create(
        procedure=procedure,
        kind=OutcomeDocument.Kind.SINTESI,
        title="Documento di sintesi della co-programmazione sull'inclusione sociale",
        summary="Bisogni emersi: povertà abitativa, isolamento degli anziani soli, accesso ai servizi per le famiglie straniere. "
        "Priorità: rete di pronto intervento sociale, empori solidali, orientamento al lavoro.",
        act_reference="Determina n. 402",
        act_date=(start + timedelta(days=150)).date(),
        file=_document(
            "Documento di sintesi — Inclusione sociale",
            [
                "Il tavolo ha riunito l'Ufficio di Piano, i comuni dell'ATS 6 e gli enti del Terzo settore in quattro sedute.",
                "Bisogni: povertà abitativa; isolamento degli anziani soli; difficoltà di accesso ai servizi per le famiglie straniere.",
                "Interventi proposti: rete di pronto intervento sociale; empori solidali in tre comuni; sportelli di orientamento al lavoro.",
                "Risorse: Fondo Povertà quota servizi, PN Inclusione 2021-2027, cofinanziamento degli enti.",
            ],
        ),
        created_by=coordinator,
        created_at=start + timedelta(days=150),
    )
    return procedure


def _non_autosufficienza(ctx, entities) -> Procedure:
    ambito, coordinator = ctx["ambito"], ctx["coordinator"]
    existing = Procedure.objects.filter(
        ambito=ambito, title="Co-progettazione dei servizi per la non autosufficienza"
    ).first()
    if existing:
        return existing
    procedure = services.procedure_create(
        ambito=ambito,
        actor=coordinator,
        data={
            "kind": Procedure.Kind.CODESIGN,
            "title": "Co-progettazione dei servizi per la non autosufficienza",
            "subject": "Progettare con gli enti del Terzo settore l'assistenza domiciliare, i centri diurni e il sollievo per chi assiste anziani non autosufficienti.",
            "rup": coordinator,
            "origin": Procedure.Origin.EX_OFFICIO,
            "budget": Decimal("480000.00"),
            "duration_months": 36,
            "cup": "E61H25000120001",
            "legal_basis": "Piano di Zona 2025-2027; Piano regionale per la non autosufficienza (FNA 2025-2027).",
        },
        activities=Activity.objects.filter(code__in=["a", "c"]),
        target_groups=TargetGroup.objects.filter(code__in=["anziani", "disabili"]),
        tables=[_table(ctx, "non-autosufficienza", "Non autosufficienza")],
    )
    notice = services.notice_save_draft(
        procedure=procedure,
        actor=coordinator,
        data={
            "subject": "Avviso pubblico per l'individuazione di enti del Terzo settore disponibili alla co-progettazione dei servizi per la non autosufficienza.",
            "requirements": "Iscrizione al RUNTS; esperienza di almeno tre anni in servizi per anziani o persone con disabilità nel territorio dell'ATS 6.",
            "documents_required": "Statuto; curriculum dell'ente; proposta progettuale firmata dal legale rappresentante.",
            "deadline": timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
            + timedelta(days=21),
            "admission_threshold": Decimal("60"),
        },
        criteria=[
            services.CriterionData(
                "Qualità e coerenza della proposta", 40, "Aderenza ai bisogni del Piano di Zona."
            ),
            services.CriterionData("Esperienza nel territorio", 25),
            services.CriterionData("Rete di partner e radicamento", 20),
            services.CriterionData("Cofinanziamento e sostenibilità", 15),
        ],
    )
    services.notice_publish(notice=notice, actor=coordinator)
    procedure = Procedure.objects.get(pk=procedure.pk)
    for entity, admin in entities:
        application = services.application_start(procedure=procedure, entity=entity, actor=admin)
        services.application_update(
            application=application,
            actor=admin,
            declarations=list(Declaration.values),
            proposal=_proposal_text(entity),
            budget=_budget(entity),
        )
        ApplicationDocument.objects.create(
            application=application,
            title="Statuto dell'ente",
            file=_document(f"Statuto — {entity.name}", [f"Statuto dell'ente {entity.name}."]),
            uploaded_by=admin,
        )
        services.application_submit(application=application, actor=admin)
    return procedure


# What each kind of entity asks for over the 36 months, so that the amounts fit who carries them:
# a cooperative employs the social care workers; an ODV or APS (no employees) asks only for the
# reimbursement of its volunteers' documented expenses.
EMPLOYERS = {Entity.LegalForm.COOP_A, Entity.LegalForm.COOP_B, Entity.LegalForm.SOCIAL_ENTERPRISE}
EMPLOYER_BUDGET = [
    ("Operatori socio-sanitari: due a tempo pieno per 36 mesi", "96000", "9600"),
    ("Coordinamento del servizio e formazione degli operatori", "14000", "2000"),
]
VOLUNTEER_BUDGET = [
    ("Rimborso delle spese documentate dei volontari", "9000", "0"),
    ("Formazione e assicurazione dei volontari", "3000", "1500"),
]


def _budget(entity: Entity) -> list[tuple[str, Decimal, Decimal]]:
    lines = EMPLOYER_BUDGET if entity.legal_form in EMPLOYERS else VOLUNTEER_BUDGET
    return [(text, Decimal(amount), Decimal(own)) for text, amount, own in lines]


def _proposal_text(entity: Entity) -> str:
    if entity.legal_form in EMPLOYERS:
        return (
            f"{entity.name} propone l'assistenza domiciliare integrata con i propri operatori "
            "socio-sanitari e un coordinamento unico con i servizi sociali dei comuni."
        )
    return (
        f"{entity.name} propone, con i propri volontari formati, compagnia, piccole commissioni "
        "e trasporto per le persone assistite a domicilio, e momenti di sollievo per le famiglie."
    )


def _seat_admitted(procedure: Procedure, coordinator) -> None:
    """The entities admitted to the co-programmazione sit at its tables from their admission
    (as the service does when admission is decided in the portal)."""
    for application in procedure.applications.filter(
        status=ApplicationStatus.ADMITTED
    ).select_related("entity", "submitted_by"):
        for table in procedure.tables.all():
            if not TableMembership.objects.filter(
                table=table, entity=application.entity, status__in=["requested", "active"]
            ).exists():
                TableMembership.objects.create(
                    table=table,
                    kind=TableMembership.Kind.ENTITY,
                    entity=application.entity,
                    delegate=application.submitted_by,
                    status=TableMembership.Status.ACTIVE,
                    motivation=f"Ammesso al procedimento «{procedure.title}».",
                    requested_at=application.submitted_at,
                    decided_at=application.decided_at,
                    decided_by=coordinator,
                )


def seed(ctx: dict) -> None:
    entities = _entities(ctx)
    inclusione = _inclusione(ctx, entities)
    _seat_admitted(inclusione, ctx["coordinator"])
    ctx["procedures"] = {
        "inclusione": inclusione,
        "non_autosufficienza": _non_autosufficienza(ctx, entities),
    }
    _second_ambito(ctx)


def _second_ambito(ctx: dict) -> Procedure | None:
    """ATS 1 Pesaro: a co-programmazione open to applications."""
    ambito, coordinator = ctx.get("second_ambito"), ctx.get("second_coordinator")
    if ambito is None:
        return None
    title = "Co-programmazione dei servizi per le famiglie e i giovani"
    existing = Procedure.objects.filter(ambito=ambito, title=title).first()
    if existing:
        return existing
    procedure = services.procedure_create(
        ambito=ambito,
        actor=coordinator,
        data={
            "kind": Procedure.Kind.COPROGRAMMING,
            "title": title,
            "subject": "Leggere con il Terzo settore i bisogni delle famiglie e dei giovani dei sette comuni e individuare gli interventi del Piano di Zona.",
            "rup": coordinator,
            "origin": Procedure.Origin.EX_OFFICIO,
            "legal_basis": "Regolamento dell'amministrazione condivisa dell'ATS 1; Piano di Zona 2025-2027.",
        },
        activities=Activity.objects.filter(code__in=["a", "l"]),
        target_groups=TargetGroup.objects.filter(code__in=["famiglia-minori"]),
        tables=[ctx["second_table"]] if ctx.get("second_table") else [],
    )
    notice = services.notice_save_draft(
        procedure=procedure,
        actor=coordinator,
        data={
            "subject": "Avviso pubblico per la partecipazione alla co-programmazione dei servizi per le famiglie e i giovani.",
            "requirements": "Enti del Terzo settore che operano nei comuni dell'ATS 1.",
            "documents_required": "Statuto dell'ente.",
            "deadline": timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
            + timedelta(days=30),
        },
        criteria=[],
    )
    services.notice_publish(notice=notice, actor=coordinator)
    return procedure
