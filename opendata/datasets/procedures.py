"""Datasets of the procedures: procedimenti, avvisi, esiti, accreditati, documenti."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import (
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from opendata import selectors
from opendata.datasets.base import CHUNK, C, Dataset, page, split
from opendata.selectors import PUBLIC
from opendata.sql import joined
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
