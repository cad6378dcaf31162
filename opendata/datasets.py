"""The open datasets of an ambito: what each file holds, column by column, and the rows.

Rows are the anonymous visitor's view (opendata.selectors.PUBLIC), whoever downloads. Each
dataset reads its rows in ONE query streamed from the database (`iterator(chunk_size=...)`; a
server-side cursor on PostgreSQL): related values (activities, comuni, the agenda...) are joined
in SQL (opendata.sql.joined), never prefetched, so an export of any size takes the same few
queries and the same memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import (
    Exists,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core.links import object_url
from entities.models import LEGAL_FORM_RULES, Entity
from entities.permissions import entity_policy
from participation.models import Event
from participation.permissions import event_policy, news_policy
from plans.models import BudgetLine, Intervention, Plan
from plans.permissions import plan_policy
from processes import workflow
from processes.models import (
    Agreement,
    Criterion,
    Notice,
    OutcomeDocument,
    Procedure,
    WindowReopening,
)
from processes.permissions import procedure_policy
from tables.models import AgendaItem, Meeting, Minutes, Table
from tables.permissions import meeting_policy, minutes_policy, table_policy

from . import selectors
from .selectors import PUBLIC
from .sql import joined

CHUNK = 2000  # rows fetched from the database at a time
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)"
# EU vocabularies (DCAT-AP): data themes and frequencies.
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


@dataclass(frozen=True)
class Column:
    name: str
    description: Any  # lazy text
    datatype: str = "string"  # string, integer, decimal, boolean, date, datetime, anyURI


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Any
    description: Any
    theme: str  # code of the EU data-theme vocabulary
    frequency: str  # code of the EU frequency vocabulary
    keywords: tuple[str, ...]
    columns: tuple[Column, ...]
    queryset: Callable[[Ambito], QuerySet]
    # fields whose latest value dates the dataset's last change (dct:modified)
    dated_by: tuple[str, ...]
    # a row of the file from a row of the queryset
    row: Callable[[dict], list] | None = None
    # or the rows of the file, when they come from more than one query
    stream: Callable[[Ambito], Iterator[list]] | None = None

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    def rows(self, ambito: Ambito) -> Iterator[list]:
        if self.stream is not None:
            yield from self.stream(ambito)
            return
        for values in self.queryset(ambito).iterator(chunk_size=CHUNK):
            yield self.row(values)

    def modified(self, ambito: Ambito) -> datetime | date | None:
        qs = self.queryset(ambito).order_by()
        found = qs.aggregate(**{f"m{i}": Max(f) for i, f in enumerate(self.dated_by)})
        dates = [_as_datetime(v) for v in found.values() if v is not None]
        return max(dates, default=None)


def _as_datetime(value):
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, datetime.min.time()))


def page(name: str, **kwargs: int) -> str:
    """The canonical address of a page of the portal (SITE_URL)."""
    return settings.SITE_URL + object_url(name, **kwargs)


def split(value: str | None) -> str:
    return value or ""


C = Column


# --- comuni ----------------------------------------------------------------------------------
def _comuni(ambito: Ambito) -> QuerySet:
    return (
        ambito.comuni.order_by("name")
        .annotate(lead=Exists(Ambito.objects.filter(pk=ambito.pk, lead_comune=OuterRef("pk"))))
        .values(
            "istat_code",
            "name",
            "province",
            "province_code",
            "region",
            "cadastral_code",
            "population",
            "lead",
        )
    )


COMUNI = Dataset(
    slug="comuni",
    title=_("Comuni dell'ambito"),
    description=_(
        "I comuni che compongono l'ambito territoriale sociale, con i codici ISTAT e l'ente "
        "capofila."
    ),
    theme="REGI",
    frequency="ANNUAL",
    keywords=("comuni", "ambito territoriale sociale"),
    columns=(
        C("codice_istat", _("Codice ISTAT del comune (sei cifre)")),
        C("nome", _("Nome del comune")),
        C("provincia", _("Provincia")),
        C("sigla_provincia", _("Sigla della provincia")),
        C("regione", _("Regione")),
        C("codice_catastale", _("Codice catastale (Belfiore)")),
        C("popolazione", _("Popolazione (ultimo dato ISTAT disponibile)"), "integer"),
        C("ente_capofila", _("true se è l'ente capofila dell'ambito"), "boolean"),
    ),
    queryset=_comuni,
    row=lambda r: [
        r["istat_code"],
        r["name"],
        r["province"],
        r["province_code"],
        r["region"],
        r["cadastral_code"],
        r["population"],
        r["lead"],
    ],
    dated_by=(),
)


# --- entities --------------------------------------------------------------------------------
def _entities(ambito: Ambito) -> QuerySet:
    through = Entity.activities.through.objects
    groups = Entity.target_groups.through.objects
    comuni = Entity.operating_comuni.through.objects
    return (
        entity_policy.visible(PUBLIC)
        .filter(ambito=ambito, status=Entity.Status.VERIFIED)
        .order_by("name", "pk")
        .annotate(
            activity_codes=joined(through, fk="entity", field="activity__code"),
            group_codes=joined(groups, fk="entity", field="targetgroup__code"),
            comuni_codes=joined(comuni, fk="entity", field="comune__istat_code"),
            seat_istat=F("seat_comune__istat_code"),
            seat_name=F("seat_comune__name"),
        )
        .values(
            "pk",
            "name",
            "legal_form",
            "tax_code",
            "vat_number",
            "runts_status",
            "runts_section",
            "runts_number",
            "runts_date",
            "address",
            "postal_code",
            "seat_istat",
            "seat_name",
            "email",
            "pec",
            "website",
            "volunteers",
            "employees",
            "activity_codes",
            "group_codes",
            "comuni_codes",
        )
    )


_LEGAL_FORMS = dict(Entity.LegalForm.choices)


def _entity_row(r: dict) -> list:
    rule = LEGAL_FORM_RULES.get(r["legal_form"])
    return [
        r["pk"],
        r["name"],
        r["legal_form"],
        str(_LEGAL_FORMS.get(r["legal_form"], r["legal_form"])),
        bool(rule and rule.can_be_ets),
        r["tax_code"],
        r["vat_number"],
        r["runts_status"],
        r["runts_section"],
        r["runts_number"] or "",
        r["runts_date"],
        r["address"],
        r["postal_code"],
        r["seat_istat"],
        r["seat_name"],
        r["email"],
        r["pec"],
        r["website"],
        r["volunteers"],
        r["employees"],
        split(r["activity_codes"]),
        split(r["group_codes"]),
        split(r["comuni_codes"]),
        page("entities:detail", pk=r["pk"]),
    ]


ENTI = Dataset(
    slug="enti",
    title=_("Enti del Terzo settore e partecipanti verificati"),
    description=_(
        "L'elenco pubblico degli enti verificati dall'Ufficio di Piano, con i dati del loro "
        "profilo pubblico: denominazione, codice fiscale, iscrizione al RUNTS, sede, contatti, "
        "attività di interesse generale (art. 5 D.Lgs. 117/2017), aree di utenza e comuni in "
        "cui operano. Non contiene il legale rappresentante né il telefono."
    ),
    theme="SOCI",
    frequency="DAILY",
    keywords=("terzo settore", "RUNTS", "enti", "volontariato"),
    columns=(
        C("id", _("Identificativo dell'ente nel portale"), "integer"),
        C("denominazione", _("Denominazione")),
        C("forma_giuridica", _("Forma giuridica (codice)")),
        C("forma_giuridica_etichetta", _("Forma giuridica")),
        C(
            "ente_terzo_settore",
            _("true se la forma giuridica è di un ente del Terzo settore"),
            "boolean",
        ),
        C("codice_fiscale", _("Codice fiscale")),
        C("partita_iva", _("Partita IVA")),
        C("stato_runts", _("Stato dell'iscrizione al RUNTS")),
        C("sezione_runts", _("Sezione del RUNTS (lettera, art. 46 D.Lgs. 117/2017)")),
        C("numero_runts", _("Numero di repertorio RUNTS")),
        C("data_iscrizione_runts", _("Data di iscrizione al RUNTS"), "date"),
        C("indirizzo", _("Indirizzo della sede legale")),
        C("cap", _("CAP della sede legale")),
        C("comune_sede_istat", _("Codice ISTAT del comune della sede legale")),
        C("comune_sede", _("Comune della sede legale")),
        C("email", _("E-mail")),
        C("pec", _("PEC")),
        C("sito_web", _("Sito web"), "anyURI"),
        C("volontari", _("Numero di volontari"), "integer"),
        C("dipendenti", _("Numero di dipendenti"), "integer"),
        C("attivita", _("Attività di interesse generale: lettere dell'art. 5, separate da « | »")),
        C("aree_utenza", _("Aree di utenza (codici), separate da « | »")),
        C("comuni_operativi", _("Codici ISTAT dei comuni in cui opera, separati da « | »")),
        C("url", _("Pagina dell'ente nel portale"), "anyURI"),
    ),
    queryset=_entities,
    row=_entity_row,
    dated_by=("updated_at",),
)


# --- tables and meetings ---------------------------------------------------------------------
def _tables(ambito: Ambito) -> QuerySet:
    themes = Table.themes.through.objects
    return (
        table_policy.visible(PUBLIC)
        .filter(ambito=ambito)
        .order_by("name", "pk")
        .annotate(
            theme_codes=joined(themes, fk="table", field="targetgroup__code"),
            comune_istat=F("comune__istat_code"),
        )
        .values(
            "pk",
            "name",
            "kind",
            "comune_istat",
            "description",
            "theme_codes",
            "is_open",
            "archived_at",
        )
    )


_TABLE_KINDS = dict(Table.Kind.choices)

TAVOLI = Dataset(
    slug="tavoli",
    title=_("Tavoli di lavoro"),
    description=_(
        "I tavoli tematici, di concertazione e i gruppi di lavoro dell'ambito, anche archiviati "
        "(i tavoli riservati a una co-progettazione compaiono quando il procedimento ne rende "
        "pubblici gli atti)."
    ),
    theme="SOCI",
    frequency="WEEKLY",
    keywords=("tavoli", "co-programmazione", "partecipazione"),
    columns=(
        C("id", _("Identificativo del tavolo"), "integer"),
        C("nome", _("Nome")),
        C("tipo", _("Tipo (codice)")),
        C("tipo_etichetta", _("Tipo")),
        C("comune_istat", _("Codice ISTAT del comune (tavoli di concertazione di un comune)")),
        C("descrizione", _("Descrizione")),
        C("temi", _("Temi: codici delle aree di utenza, separati da « | »")),
        C("aperto", _("true se gli enti possono chiedere di partecipare"), "boolean"),
        C("archiviato_il", _("Data e ora di archiviazione"), "datetime"),
        C("url", _("Pagina del tavolo"), "anyURI"),
    ),
    queryset=_tables,
    row=lambda r: [
        r["pk"],
        r["name"],
        r["kind"],
        str(_TABLE_KINDS.get(r["kind"], r["kind"])),
        r["comune_istat"] or "",
        r["description"],
        split(r["theme_codes"]),
        r["is_open"],
        r["archived_at"],
        page("tables:detail", pk=r["pk"]),
    ],
    dated_by=("created_at", "archived_at"),
)


def _meetings(ambito: Ambito) -> QuerySet:
    approved = minutes_policy.visible(PUBLIC).filter(
        meeting=OuterRef("pk"), status=Minutes.Status.APPROVED
    )
    agenda = AgendaItem.objects
    return (
        meeting_policy.visible(PUBLIC)
        .filter(table__ambito=ambito)
        .order_by("starts_at", "pk")
        .annotate(
            agenda=joined(agenda, fk="meeting", field="title", ordering="order"),
            table_name=F("table__name"),
            public_minutes=Exists(approved),
        )
        .values(
            "pk",
            "table_id",
            "table_name",
            "title",
            "status",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "agenda",
            "public_minutes",
        )
    )


_MEETING_STATES = dict(Meeting.Status.choices)

SEDUTE = Dataset(
    slug="sedute",
    title=_("Sedute dei tavoli"),
    description=_(
        "Le sedute convocate (e annullate) dei tavoli, con l'ordine del giorno e il "
        "collegamento al verbale approvato quando è pubblico."
    ),
    theme="SOCI",
    frequency="DAILY",
    keywords=("sedute", "verbali", "tavoli"),
    columns=(
        C("id", _("Identificativo della seduta"), "integer"),
        C("tavolo_id", _("Identificativo del tavolo"), "integer"),
        C("tavolo", _("Nome del tavolo")),
        C("titolo", _("Titolo della seduta")),
        C("stato", _("Stato (codice)")),
        C("stato_etichetta", _("Stato")),
        C("inizio", _("Inizio"), "datetime"),
        C("fine", _("Fine"), "datetime"),
        C("luogo", _("Luogo")),
        C("collegamento_online", _("Collegamento online"), "anyURI"),
        C("ordine_del_giorno", _("Punti all'ordine del giorno, separati da « | »")),
        C("verbale", _("Pagina del verbale approvato, se pubblico"), "anyURI"),
        C("url", _("Pagina della seduta"), "anyURI"),
    ),
    queryset=_meetings,
    row=lambda r: [
        r["pk"],
        r["table_id"],
        r["table_name"],
        r["title"],
        r["status"],
        str(_MEETING_STATES.get(r["status"], r["status"])),
        r["starts_at"],
        r["ends_at"],
        r["place"],
        r["online_url"],
        split(r["agenda"]),
        page("tables:minutes_detail", pk=r["pk"]) if r["public_minutes"] else "",
        page("tables:meeting_detail", pk=r["pk"]),
    ],
    dated_by=("created_at", "starts_at"),
)


# --- procedures ------------------------------------------------------------------------------
def _public_procedures(ambito: Ambito) -> QuerySet[Procedure]:
    return procedure_policy.visible(PUBLIC).filter(ambito=ambito)


def _procedures(ambito: Ambito) -> QuerySet:
    published = Notice.objects.filter(procedure=OuterRef("pk"), published_at__isnull=False)
    return (
        _public_procedures(ambito)
        .order_by("created_at", "pk")
        .annotate(
            activity_codes=joined(
                Procedure.activities.through.objects, fk="procedure", field="activity__code"
            ),
            first_published=Subquery(published.order_by("version").values("published_at")[:1]),
            notice_deadline=Subquery(published.order_by("-version").values("deadline")[:1]),
            reopened_until=Subquery(
                WindowReopening.objects.filter(procedure=OuterRef("pk"))
                .order_by("-until")
                .values("until")[:1]
            ),
        )
        .values(
            "pk",
            "kind",
            "title",
            "subject",
            "status",
            "activity_codes",
            "budget",
            "duration_months",
            "cup",
            "legal_basis",
            "first_published",
            "notice_deadline",
            "reopened_until",
            "cancelled_at",
        )
    )


_PROCEDURE_KINDS = dict(Procedure.Kind.choices)


def _deadline(r: dict):
    deadline, reopened = r["notice_deadline"], r["reopened_until"]
    if reopened and (deadline is None or reopened > deadline):
        return reopened
    return deadline


PROCEDIMENTI = Dataset(
    slug="procedimenti",
    title=_("Procedimenti di amministrazione condivisa"),
    description=_(
        "I procedimenti di co-programmazione, co-progettazione, accreditamento e le convenzioni "
        "dell'art. 56 (artt. 55-57 D.Lgs. 117/2017), dal momento in cui l'avviso è pubblicato."
    ),
    theme="GOVE",
    frequency="DAILY",
    keywords=("co-programmazione", "co-progettazione", "avvisi", "art. 55"),
    columns=(
        C("id", _("Identificativo del procedimento"), "integer"),
        C("tipo", _("Tipo (codice)")),
        C("tipo_etichetta", _("Tipo")),
        C("titolo", _("Titolo")),
        C("oggetto", _("Oggetto")),
        C("stato", _("Stato (codice)")),
        C("stato_etichetta", _("Stato")),
        C("attivita", _("Attività di interesse generale: lettere dell'art. 5, separate da « | »")),
        C("risorse", _("Risorse messe a disposizione (euro)"), "decimal"),
        C("durata_mesi", _("Durata in mesi"), "integer"),
        C("cup", _("Codice unico di progetto (CUP)")),
        C("atto_di_riferimento", _("Atto o programmazione di riferimento")),
        C("avviso_pubblicato_il", _("Pubblicazione della prima versione dell'avviso"), "datetime"),
        C("termine", _("Termine per le domande (con le riaperture)"), "datetime"),
        C("annullato_il", _("Data di annullamento"), "datetime"),
        C("url", _("Pagina del procedimento"), "anyURI"),
    ),
    queryset=_procedures,
    row=lambda r: [
        r["pk"],
        r["kind"],
        str(_PROCEDURE_KINDS.get(r["kind"], r["kind"])),
        r["title"],
        r["subject"],
        r["status"],
        str(workflow.label(r["status"], r["kind"])),
        split(r["activity_codes"]),
        r["budget"],
        r["duration_months"],
        r["cup"],
        r["legal_basis"],
        r["first_published"],
        _deadline(r),
        r["cancelled_at"],
        page("processes:detail", pk=r["pk"]),
    ],
    dated_by=("updated_at",),
)


def _notices(ambito: Ambito) -> QuerySet:
    criteria = Criterion.objects
    return (
        Notice.objects.filter(
            procedure__in=_public_procedures(ambito).values("pk"), published_at__isnull=False
        )
        .order_by("procedure_id", "version")
        .annotate(
            criteria_names=joined(criteria, fk="notice", field="name", ordering="order"),
            criteria_weights=joined(criteria, fk="notice", field="weight", ordering="order"),
        )
        .values(
            "pk",
            "procedure_id",
            "version",
            "published_at",
            "deadline",
            "admission_threshold",
            "correction_note",
            "criteria_names",
            "criteria_weights",
        )
    )


AVVISI = Dataset(
    slug="avvisi",
    title=_("Avvisi pubblici e rettifiche"),
    description=_(
        "Ogni versione pubblicata degli avvisi dei procedimenti: la prima e le rettifiche, con "
        "il termine, la soglia di ammissione e i criteri di valutazione con i loro pesi."
    ),
    theme="GOVE",
    frequency="DAILY",
    keywords=("avvisi", "rettifiche", "criteri di valutazione"),
    columns=(
        C("id", _("Identificativo della versione"), "integer"),
        C("procedimento_id", _("Identificativo del procedimento"), "integer"),
        C("versione", _("Numero di versione (1: l'avviso, poi le rettifiche)"), "integer"),
        C("pubblicato_il", _("Data e ora di pubblicazione"), "datetime"),
        C("termine", _("Termine per le domande di questa versione"), "datetime"),
        C("soglia_ammissione", _("Punteggio minimo per l'ammissione"), "decimal"),
        C("nota_rettifica", _("Che cosa cambia (per le rettifiche)")),
        C("criteri", _("Criteri di valutazione, separati da « | »")),
        C("pesi", _("Pesi dei criteri, nello stesso ordine, separati da « | »")),
        C("url", _("Pagina della versione"), "anyURI"),
    ),
    queryset=_notices,
    row=lambda r: [
        r["pk"],
        r["procedure_id"],
        r["version"],
        r["published_at"],
        r["deadline"],
        r["admission_threshold"],
        r["correction_note"],
        split(r["criteria_names"]),
        split(r["criteria_weights"]),
        page("processes:notice_detail", pk=r["pk"]),
    ],
    dated_by=("published_at",),
)


def _results(ambito: Ambito) -> QuerySet:
    return (
        selectors.results_public(_public_procedures(ambito))
        .order_by("procedure_id", "rank", "submitted_at", "pk")
        .values(
            "procedure_id",
            "entity_id",
            "entity__name",
            "entity__tax_code",
            "status",
            "total_score",
            "rank",
        )
    )


ESITI = Dataset(
    slug="esiti",
    title=_("Esiti delle selezioni"),
    description=_(
        "Gli enti ammessi e non ammessi dei procedimenti che hanno pubblicato l'esito, con il "
        "punteggio e la posizione in graduatoria (i motivi di un'esclusione sono comunicati "
        "all'ente, non pubblicati). Prima dell'esito le domande restano riservate."
    ),
    theme="GOVE",
    frequency="DAILY",
    keywords=("graduatorie", "esiti", "ammessi"),
    columns=(
        C("procedimento_id", _("Identificativo del procedimento"), "integer"),
        C("ente_id", _("Identificativo dell'ente"), "integer"),
        C("ente", _("Denominazione dell'ente")),
        C("codice_fiscale_ente", _("Codice fiscale dell'ente")),
        C("esito", _("ammesso oppure non_ammesso")),
        C("punteggio", _("Punteggio su 100"), "decimal"),
        C("posizione", _("Posizione in graduatoria"), "integer"),
    ),
    queryset=_results,
    row=lambda r: [
        r["procedure_id"],
        r["entity_id"],
        r["entity__name"],
        r["entity__tax_code"],
        "ammesso" if r["status"] == "admitted" else "non_ammesso",
        r["total_score"],
        r["rank"],
    ],
    dated_by=("decided_at", "updated_at"),
)


def _accreditations(ambito: Ambito) -> QuerySet:
    return (
        selectors.accreditations(_public_procedures(ambito))
        .order_by("procedure_id", "admitted_at", "pk")
        .values(
            "procedure_id", "entity_id", "entity__name", "entity__tax_code", "admitted_at", "status"
        )
    )


ACCREDITATI = Dataset(
    slug="accreditati",
    title=_("Elenchi degli enti accreditati"),
    description=_(
        "Gli enti iscritti negli elenchi aperti di accreditamento (art. 55 c. 4 D.Lgs. 117/2017), "
        "con la data di ammissione e lo stato attuale (accreditato, sospeso, cancellato)."
    ),
    theme="GOVE",
    frequency="DAILY",
    keywords=("accreditamento", "elenchi"),
    columns=(
        C("procedimento_id", _("Identificativo del procedimento di accreditamento"), "integer"),
        C("ente_id", _("Identificativo dell'ente"), "integer"),
        C("ente", _("Denominazione dell'ente")),
        C("codice_fiscale_ente", _("Codice fiscale dell'ente")),
        C("accreditato_il", _("Data di ammissione nell'elenco"), "datetime"),
        C("stato", _("Stato attuale (codice)")),
    ),
    queryset=_accreditations,
    row=lambda r: [
        r["procedure_id"],
        r["entity_id"],
        r["entity__name"],
        r["entity__tax_code"],
        r["admitted_at"],
        r["status"],
    ],
    dated_by=("admitted_at",),
)


def _documents(ambito: Ambito) -> QuerySet:
    return (
        selectors.outcome_documents(_public_procedures(ambito))
        .order_by("procedure_id", "created_at", "pk")
        .values(
            "pk",
            "procedure_id",
            "kind",
            "title",
            "act_reference",
            "act_date",
            "created_at",
            "sha256",
        )
    )


def _document_rows(ambito: Ambito) -> Iterator[list]:
    """Outcome documents, then the signed agreements (two queries)."""
    kinds = dict(OutcomeDocument.Kind.choices)
    for r in _documents(ambito).iterator(chunk_size=CHUNK):
        yield [
            r["procedure_id"],
            r["kind"],
            str(kinds.get(r["kind"], r["kind"])),
            r["title"],
            r["act_reference"],
            r["act_date"],
            r["created_at"],
            page("processes:document", pk=r["pk"]),
            r["sha256"],
        ]
    agreements = (
        Agreement.objects.filter(procedure__in=_public_procedures(ambito).values("pk"))
        .order_by("procedure_id")
        .values("procedure_id", "signed_on", "created_at", "sha256")
    )
    for r in agreements.iterator(chunk_size=CHUNK):
        yield [
            r["procedure_id"],
            "agreement",
            str(_("Convenzione sottoscritta")),
            str(_("Convenzione")),
            "",
            r["signed_on"],
            r["created_at"],
            page("processes:agreement_file", pk=r["procedure_id"]),
            r["sha256"],
        ]


DOCUMENTI = Dataset(
    slug="documenti",
    title=_("Atti e documenti dei procedimenti"),
    description=_(
        "Gli atti pubblicati dei procedimenti (determinazioni, verbali, graduatorie, progetti) e "
        "le convenzioni sottoscritte, ciascuno con l'impronta SHA-256 del file: chi lo scarica "
        "può verificare che sia quello pubblicato."
    ),
    theme="GOVE",
    frequency="DAILY",
    keywords=("atti", "documenti", "convenzioni", "trasparenza"),
    columns=(
        C("procedimento_id", _("Identificativo del procedimento"), "integer"),
        C("tipo", _("Tipo (codice)")),
        C("tipo_etichetta", _("Tipo")),
        C("titolo", _("Titolo")),
        C("estremi_atto", _("Estremi dell'atto")),
        C("data_atto", _("Data dell'atto"), "date"),
        C("pubblicato_il", _("Data e ora di pubblicazione"), "datetime"),
        C("url", _("Indirizzo da cui scaricare il file"), "anyURI"),
        C("sha256", _("Impronta SHA-256 del file (64 cifre esadecimali)")),
    ),
    queryset=_documents,
    stream=_document_rows,
    dated_by=("created_at",),
)


# --- plans -----------------------------------------------------------------------------------
def _public_plans(ambito: Ambito) -> QuerySet[Plan]:
    return plan_policy.visible(PUBLIC).filter(ambito=ambito)


def _plans(ambito: Ambito) -> QuerySet:
    return (
        _public_plans(ambito)
        .order_by("start_year", "pk")
        .values(
            "pk",
            "title",
            "start_year",
            "end_year",
            "status",
            "consultation_until",
            "approval_act_number",
            "approval_act_date",
            "version",
        )
    )


_PLAN_STATES = dict(Plan.Status.choices)

PIANI = Dataset(
    slug="piani",
    title=_("Piani di zona"),
    description=_(
        "I Piani di zona dell'ambito (art. 19 L. 328/2000) in consultazione o approvati, con "
        "l'atto di approvazione."
    ),
    theme="SOCI",
    frequency="MONTHLY",
    keywords=("piano di zona", "programmazione sociale"),
    columns=(
        C("id", _("Identificativo del piano"), "integer"),
        C("titolo", _("Titolo")),
        C("anno_inizio", _("Primo anno"), "integer"),
        C("anno_fine", _("Ultimo anno"), "integer"),
        C("stato", _("Stato (codice)")),
        C("stato_etichetta", _("Stato")),
        C("osservazioni_fino_al", _("Termine delle osservazioni (consultazione)"), "date"),
        C("numero_atto_approvazione", _("Numero dell'atto di approvazione")),
        C("data_atto_approvazione", _("Data dell'atto di approvazione"), "date"),
        C("versione", _("Versione approvata corrente"), "integer"),
        C("url", _("Pagina del piano"), "anyURI"),
    ),
    queryset=_plans,
    row=lambda r: [
        r["pk"],
        r["title"],
        r["start_year"],
        r["end_year"],
        r["status"],
        str(_PLAN_STATES.get(r["status"], r["status"])),
        r["consultation_until"],
        r["approval_act_number"],
        r["approval_act_date"],
        r["version"],
        page("plans:detail", pk=r["pk"]),
    ],
    dated_by=("updated_at",),
)


def _interventions(ambito: Ambito) -> QuerySet:
    total = (
        BudgetLine.objects.filter(intervention=OuterRef("pk"))
        .order_by()
        .values("intervention")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Intervention.objects.filter(plan__in=_public_plans(ambito).values("pk"))
        .order_by("plan_id", "pk")
        .annotate(
            total=Subquery(total),
            comuni_codes=joined(
                Intervention.comuni.through.objects, fk="intervention", field="comune__istat_code"
            ),
            group_codes=joined(
                Intervention.target_groups.through.objects,
                fk="intervention",
                field="targetgroup__code",
            ),
        )
        .values(
            "pk",
            "plan_id",
            "code",
            "title",
            "area__code",
            "area__name",
            "objective",
            "runner",
            "runner_comune__name",
            "runner_entity__name",
            "group_codes",
            "comuni_codes",
            "total",
        )
    )


_RUNNERS = dict(Intervention.Runner.choices)

INTERVENTI = Dataset(
    slug="interventi",
    title=_("Schede intervento dei piani di zona"),
    description=_(
        "Gli interventi dei piani di zona pubblici: area, obiettivo, chi li realizza, comuni "
        "coinvolti e risorse assegnate in totale (il dettaglio per fonte e anno è nella mappa "
        "dei fondi e nell'API)."
    ),
    theme="SOCI",
    frequency="MONTHLY",
    keywords=("piano di zona", "interventi", "servizi sociali"),
    columns=(
        C("id", _("Identificativo dell'intervento"), "integer"),
        C("piano_id", _("Identificativo del piano"), "integer"),
        C("codice", _("Codice dell'intervento")),
        C("titolo", _("Titolo")),
        C("area", _("Area di intervento (codice)")),
        C("area_nome", _("Area di intervento")),
        C("obiettivo", _("Obiettivo")),
        C("realizzato_da", _("Chi lo realizza: ambito, comune o ente (codice)")),
        C("realizzato_da_nome", _("Chi lo realizza")),
        C("destinatari", _("Destinatari: codici delle aree di utenza, separati da « | »")),
        C("comuni", _("Codici ISTAT dei comuni coinvolti, separati da « | »")),
        C("risorse_totali", _("Risorse assegnate in tutti gli anni (euro)"), "decimal"),
        C("url", _("Pagina dell'intervento"), "anyURI"),
    ),
    queryset=_interventions,
    row=lambda r: [
        r["pk"],
        r["plan_id"],
        r["code"],
        r["title"],
        r["area__code"],
        r["area__name"],
        r["objective"],
        r["runner"],
        r["runner_comune__name"]
        or r["runner_entity__name"]
        or str(_RUNNERS.get(r["runner"], r["runner"])),
        split(r["group_codes"]),
        split(r["comuni_codes"]),
        r["total"],
        page("plans:intervention", pk=r["plan_id"], intervention_pk=r["pk"]),
    ],
    dated_by=("updated_at",),
)


def _fund_rows(ambito: Ambito) -> Iterator[list]:
    """One row per plan, source and year, as the plan's budget page computes them (a few
    queries per plan; an ambito has a few plans)."""
    for plan in list(_public_plans(ambito).order_by("start_year", "pk")):
        for cell in selectors.fund_map(plan):
            yield [
                plan.pk,
                cell.source.code,
                cell.source.name,
                cell.source.kind,
                cell.year,
                cell.cell.available,
                cell.cell.allocated,
            ]


FONDI = Dataset(
    slug="fondi",
    title=_("Mappa dei fondi dei piani di zona"),
    description=_(
        "Per ogni piano pubblico, fonte di finanziamento e anno: le risorse disponibili e quelle "
        "assegnate agli interventi (la Mappafondo del piano)."
    ),
    theme="ECON",
    frequency="MONTHLY",
    keywords=("bilancio", "fondi", "mappafondo", "piano di zona"),
    columns=(
        C("piano_id", _("Identificativo del piano"), "integer"),
        C("fonte", _("Fonte di finanziamento (codice)")),
        C("fonte_nome", _("Fonte di finanziamento")),
        C("tipo_fonte", _("Tipo di fonte: national, european, regional, local, private")),
        C("anno", _("Anno"), "integer"),
        C("disponibile", _("Risorse disponibili (euro)"), "decimal"),
        C("assegnato", _("Risorse assegnate agli interventi (euro)"), "decimal"),
    ),
    queryset=_public_plans,
    stream=_fund_rows,
    dated_by=("updated_at",),
)


# --- events and news -------------------------------------------------------------------------
def _events(ambito: Ambito) -> QuerySet:
    return (
        event_policy.visible(PUBLIC)
        .filter(ambito=ambito)
        .order_by("starts_at", "pk")
        .values(
            "pk",
            "title",
            "summary",
            "place",
            "starts_at",
            "ends_at",
            "registration_closes_at",
            "status",
        )
    )


_EVENT_STATES = dict(Event.Status.choices)

EVENTI = Dataset(
    slug="eventi",
    title=_("Eventi pubblici"),
    description=_("Gli eventi pubblici dell'ambito: forum, incontri, laboratori."),
    theme="SOCI",
    frequency="WEEKLY",
    keywords=("eventi", "partecipazione"),
    columns=(
        C("id", _("Identificativo dell'evento"), "integer"),
        C("titolo", _("Titolo")),
        C("sintesi", _("Sintesi")),
        C("luogo", _("Luogo")),
        C("inizio", _("Inizio"), "datetime"),
        C("fine", _("Fine"), "datetime"),
        C("iscrizioni_fino_al", _("Chiusura delle iscrizioni"), "datetime"),
        C("stato", _("Stato (codice)")),
        C("stato_etichetta", _("Stato")),
        C("url", _("Pagina dell'evento"), "anyURI"),
    ),
    queryset=_events,
    row=lambda r: [
        r["pk"],
        r["title"],
        r["summary"],
        r["place"],
        r["starts_at"],
        r["ends_at"],
        r["registration_closes_at"],
        r["status"],
        str(_EVENT_STATES.get(r["status"], r["status"])),
        page("participation:event_detail", pk=r["pk"]),
    ],
    dated_by=("updated_at",),
)


def _news(ambito: Ambito) -> QuerySet:
    return (
        news_policy.visible(PUBLIC)
        .filter(ambito=ambito)
        .order_by("published_at", "pk")
        .values("pk", "title", "summary", "published_at")
    )


NOTIZIE = Dataset(
    slug="notizie",
    title=_("Notizie"),
    description=_("Le notizie pubblicate dall'Ufficio di Piano."),
    theme="SOCI",
    frequency="WEEKLY",
    keywords=("notizie", "comunicazione"),
    columns=(
        C("id", _("Identificativo della notizia"), "integer"),
        C("titolo", _("Titolo")),
        C("sintesi", _("Sintesi")),
        C("pubblicata_il", _("Data e ora di pubblicazione"), "datetime"),
        C("url", _("Pagina della notizia (con il testo)"), "anyURI"),
    ),
    queryset=_news,
    row=lambda r: [
        r["pk"],
        r["title"],
        r["summary"],
        r["published_at"],
        page("participation:news_detail", pk=r["pk"]),
    ],
    dated_by=("published_at",),
)


DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in (
        COMUNI,
        ENTI,
        TAVOLI,
        SEDUTE,
        PROCEDIMENTI,
        AVVISI,
        ESITI,
        ACCREDITATI,
        DOCUMENTI,
        PIANI,
        INTERVENTI,
        FONDI,
        EVENTI,
        NOTIZIE,
    )
}
FORMATS = ("csv", "json")
