"""Serializers of procedures, plans, events and news."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.sanitize import clean_html

from .base import NULLABLE_DATETIME, ComuneRef, EntityRef, Named, PageLink, absolute


# --- procedures ------------------------------------------------------------------------------
class CriterionSerializer(serializers.Serializer):
    nome = serializers.CharField(source="name")
    descrizione = serializers.CharField(source="description")
    peso = serializers.IntegerField(source="weight")


class NoticeSerializer(serializers.Serializer):
    versione = serializers.IntegerField(source="version")
    pubblicato_il = serializers.DateTimeField(source="published_at")
    termine = serializers.DateTimeField(source="deadline", allow_null=True)
    oggetto = serializers.CharField(source="subject")
    requisiti = serializers.CharField(source="requirements")
    documenti_richiesti = serializers.CharField(source="documents_required")
    soglia_ammissione = serializers.DecimalField(
        source="admission_threshold", max_digits=6, decimal_places=2, allow_null=True
    )
    nota_rettifica = serializers.CharField(source="correction_note")
    criteri = CriterionSerializer(many=True, source="criteria.all")
    url = PageLink("processes:notice_detail")


class ReopeningSerializer(serializers.Serializer):
    disposta_il = serializers.DateTimeField(source="created_at")
    nuovo_termine = serializers.DateTimeField(source="until")
    motivazione = serializers.CharField(source="reason")


class ResultSerializer(serializers.Serializer):
    ente = EntityRef(source="entity")
    punteggio = serializers.DecimalField(
        source="total_score", max_digits=7, decimal_places=2, allow_null=True
    )
    posizione = serializers.IntegerField(source="rank", allow_null=True)
    partner = EntityRef(many=True, source="partners.all")


class ResultsSerializer(serializers.Serializer):
    ammessi = ResultSerializer(many=True, source="admitted")
    non_ammessi = ResultSerializer(many=True, source="excluded")


class AccreditationChangeSerializer(serializers.Serializer):
    variazione = serializers.CharField(source="kind")
    variazione_etichetta = serializers.CharField(source="get_kind_display")
    data = serializers.DateTimeField(source="occurred_at")
    motivazione = serializers.CharField(source="reason")


class AccreditationSerializer(serializers.Serializer):
    ente = EntityRef(source="entity")
    accreditato_il = serializers.DateTimeField(source="admitted_at")
    stato = serializers.CharField(source="status")
    variazioni = AccreditationChangeSerializer(many=True, source="changes")


class DocumentSerializer(serializers.Serializer):
    tipo = serializers.CharField(source="kind")
    tipo_etichetta = serializers.CharField(source="get_kind_display")
    titolo = serializers.CharField(source="title")
    sintesi = serializers.CharField(source="summary")
    estremi_atto = serializers.CharField(source="act_reference")
    data_atto = serializers.DateField(source="act_date", allow_null=True)
    pubblicato_il = serializers.DateTimeField(source="created_at")
    url = PageLink("processes:document")
    sha256 = serializers.CharField()


class AgreementSerializer(serializers.Serializer):
    firmata_il = serializers.DateField(source="signed_on")
    inizio = serializers.DateField(source="starts_on")
    durata_mesi = serializers.IntegerField(source="duration_months")
    risorse = serializers.DecimalField(source="resources", max_digits=14, decimal_places=2)
    rendicontazione = serializers.CharField(source="get_reporting_schedule_display")
    impegni = serializers.CharField(source="notes")
    url = PageLink("processes:agreement_file", pk="procedure_id")
    sha256 = serializers.CharField()


class ProcedureSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    titolo = serializers.CharField(source="title")
    ambito = serializers.CharField(source="ambito.code")
    tipo = serializers.CharField(source="kind")
    tipo_etichetta = serializers.CharField(source="get_kind_display")
    stato = serializers.CharField(source="status")
    stato_etichetta = serializers.CharField(source="status_label")
    attivita = Named(many=True, source="activities.all")
    termine = serializers.SerializerMethodField()
    avviso_pubblicato_il = serializers.SerializerMethodField()
    aggiornato_il = serializers.DateTimeField(source="updated_at")
    url = PageLink("processes:detail")

    @extend_schema_field(NULLABLE_DATETIME)
    def get_termine(self, obj):
        """The deadline for applications: the latest published avviso's, or a later reopening."""
        notices = obj.published_notices
        deadline = notices[-1].deadline if notices else None
        reopened = max((r.until for r in obj.all_reopenings), default=None)
        if reopened and (deadline is None or reopened > deadline):
            deadline = reopened
        return serializers.DateTimeField().to_representation(deadline) if deadline else None

    @extend_schema_field(NULLABLE_DATETIME)
    def get_avviso_pubblicato_il(self, obj):
        notices = obj.published_notices
        first = notices[0].published_at if notices else None
        return serializers.DateTimeField().to_representation(first) if first else None


class ProcedureDetailSerializer(ProcedureSerializer):
    oggetto = serializers.CharField(source="subject")
    origine = serializers.CharField(source="get_origin_display")
    risorse = serializers.DecimalField(
        source="budget", max_digits=14, decimal_places=2, allow_null=True
    )
    durata_mesi = serializers.IntegerField(source="duration_months", allow_null=True)
    cup = serializers.CharField()
    atto_di_riferimento = serializers.CharField(source="legal_basis")
    annullato_il = serializers.DateTimeField(source="cancelled_at", allow_null=True)
    motivo_annullamento = serializers.CharField(source="cancel_reason")
    criteri_bloccati_il = serializers.DateTimeField(source="notice_locked_at", allow_null=True)
    aree_utenza = Named(many=True, source="record.target_groups")
    tavoli = serializers.SerializerMethodField()
    avvisi = NoticeSerializer(many=True, source="record.notices")
    riaperture = ReopeningSerializer(many=True, source="record.reopenings")
    esito = ResultsSerializer(source="record.results", allow_null=True)
    elenco_accreditati = AccreditationSerializer(many=True, source="record.accredited")
    documenti = DocumentSerializer(many=True, source="record.documents")
    convenzione = AgreementSerializer(source="record.agreement", allow_null=True)
    parti_convenzione = EntityRef(many=True, source="record.parties")

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_tavoli(self, obj) -> list[int]:
        return [t.pk for t in obj.record["tables"]]


# --- plans -----------------------------------------------------------------------------------
class FundCellSerializer(serializers.Serializer):
    fonte = serializers.CharField(source="source.code")
    fonte_nome = serializers.CharField(source="source.name")
    tipo_fonte = serializers.CharField(source="source.kind")
    anno = serializers.IntegerField(source="year")
    importo = serializers.DecimalField(source="amount", max_digits=14, decimal_places=2)


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    titolo = serializers.CharField(source="title")
    ambito = serializers.CharField(source="ambito.code")
    anno_inizio = serializers.IntegerField(source="start_year")
    anno_fine = serializers.IntegerField(source="end_year")
    stato = serializers.CharField(source="status")
    stato_etichetta = serializers.CharField(source="get_status_display")
    osservazioni_fino_al = serializers.DateField(source="consultation_until", allow_null=True)
    numero_atto_approvazione = serializers.CharField(source="approval_act_number")
    data_atto_approvazione = serializers.DateField(source="approval_act_date", allow_null=True)
    versione = serializers.IntegerField(source="version")
    aggiornato_il = serializers.DateTimeField(source="updated_at")
    url = PageLink("plans:detail")


class FundMapCellSerializer(serializers.Serializer):
    """One cell of the Mappafondo: a source in a year, what is available and what the plan's
    interventions take of it."""

    fonte = serializers.CharField(source="source.code")
    fonte_nome = serializers.CharField(source="source.name")
    tipo_fonte = serializers.CharField(source="source.kind")
    anno = serializers.IntegerField(source="year")
    disponibile = serializers.DecimalField(source="cell.available", max_digits=14, decimal_places=2)
    assegnato = serializers.DecimalField(source="cell.allocated", max_digits=14, decimal_places=2)


class PlanDetailSerializer(PlanSerializer):
    mappa_fondi = FundMapCellSerializer(many=True, source="fund_map")
    interventi = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_interventi(self, obj) -> str:
        """The plan's interventions in the API (the list, filtered by this plan)."""
        path = reverse("api:intervento-list") + f"?piano={obj.pk}"
        return absolute(self.context.get("request"), path)


class IndicatorSerializer(serializers.Serializer):
    nome = serializers.CharField(source="name")
    unita_di_misura = serializers.CharField(source="unit")
    valore_di_partenza = serializers.DecimalField(
        source="baseline", max_digits=14, decimal_places=2, allow_null=True
    )
    valore_obiettivo = serializers.DecimalField(source="target", max_digits=14, decimal_places=2)


class InterventionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    piano = serializers.IntegerField(source="plan_id")
    ambito = serializers.CharField(source="plan.ambito.code")
    codice = serializers.CharField(source="code")
    titolo = serializers.CharField(source="title")
    area = Named()
    obiettivo = serializers.CharField(source="objective")
    descrizione = serializers.SerializerMethodField()
    destinatari = Named(many=True, source="target_groups.all")
    comuni = ComuneRef(many=True, source="comuni.all")
    realizzato_da = serializers.CharField(source="runner")
    realizzato_da_nome = serializers.CharField(source="runner_label")
    indicatori = IndicatorSerializer(many=True, source="indicators.all")
    bilancio = FundCellSerializer(many=True, source="budget_lines.all")
    url = PageLink("plans:intervention", pk="plan_id", intervention_pk="pk")

    def get_descrizione(self, obj) -> str:
        """Rich text (HTML), through the portal's allow-list sanitiser."""
        return clean_html(obj.description)


# --- events and news -------------------------------------------------------------------------
class EventSessionSerializer(serializers.Serializer):
    titolo = serializers.CharField(source="title")
    descrizione = serializers.CharField(source="description")
    luogo = serializers.CharField(source="place")
    inizio = serializers.DateTimeField(source="starts_at")
    fine = serializers.DateTimeField(source="ends_at")
    posti = serializers.IntegerField(source="capacity")


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    titolo = serializers.CharField(source="title")
    ambito = serializers.CharField(source="ambito.code")
    sintesi = serializers.CharField(source="summary")
    descrizione = serializers.CharField(source="description")
    luogo = serializers.CharField(source="place")
    inizio = serializers.DateTimeField(source="starts_at")
    fine = serializers.DateTimeField(source="ends_at")
    iscrizioni_fino_al = serializers.DateTimeField(source="registration_closes_at", allow_null=True)
    stato = serializers.CharField(source="status")
    stato_etichetta = serializers.CharField(source="get_status_display")
    sessioni = EventSessionSerializer(many=True, source="sessions.all")
    aggiornato_il = serializers.DateTimeField(source="updated_at")
    url = PageLink("participation:event_detail")


class NewsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    titolo = serializers.CharField(source="title")
    ambito = serializers.CharField(source="ambito.code")
    sintesi = serializers.CharField(source="summary")
    pubblicata_il = serializers.DateTimeField(source="published_at", allow_null=True)
    aggiornata_il = serializers.DateTimeField(source="updated_at")
    url = PageLink("participation:news_detail")


class NewsDetailSerializer(NewsSerializer):
    testo = serializers.SerializerMethodField()

    def get_testo(self, obj) -> str:
        """Rich text (HTML), through the portal's allow-list sanitiser."""
        return clean_html(obj.body)
