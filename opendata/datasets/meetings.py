"""Datasets of the thematic tables and their meetings."""

from __future__ import annotations

from django.db.models import (
    Exists,
    F,
    OuterRef,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from opendata.datasets.base import C, Dataset, page, split
from opendata.selectors import PUBLIC
from opendata.sql import joined
from tables.models import AgendaItem, Meeting, Minutes, Table
from tables.permissions import meeting_policy, minutes_policy, table_policy


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
