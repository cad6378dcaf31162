"""Serializers shared by every kind (links, references) and those of ambiti, entities, tables
and meetings."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.links import object_url

NULLABLE_URI = serializers.URLField(allow_null=True)
NULLABLE_DATETIME = serializers.DateTimeField(allow_null=True)


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field(OpenApiTypes.URI)
class PageLink(serializers.Field):
    """The absolute address of the object's page on the portal (or of a file it publishes)."""

    def __init__(self, view_name: str, **url_kwargs: str):
        """`url_kwargs`: the URL's kwargs and the attributes they come from (default pk=pk)."""
        self.view_name, self.url_kwargs = view_name, url_kwargs or {"pk": "pk"}
        super().__init__(source="*", read_only=True)

    def to_representation(self, obj):
        kwargs = {key: getattr(obj, attr) for key, attr in self.url_kwargs.items()}
        return absolute(self.context.get("request"), object_url(self.view_name, **kwargs))


class Named(serializers.Serializer):
    codice = serializers.CharField(source="code")
    nome = serializers.CharField(source="name")


class AmbitoRef(serializers.Serializer):
    codice = serializers.CharField(source="code")
    nome = serializers.CharField(source="name")


class ComuneRef(serializers.Serializer):
    codice_istat = serializers.CharField(source="istat_code")
    nome = serializers.CharField(source="name")
    sigla_provincia = serializers.CharField(source="province_code")


class EntityRef(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    denominazione = serializers.CharField(source="name")
    codice_fiscale = serializers.CharField(source="tax_code")


# --- ambiti and comuni -----------------------------------------------------------------------
class ComuneSerializer(serializers.Serializer):
    codice_istat = serializers.CharField(source="istat_code")
    nome = serializers.CharField(source="name")
    provincia = serializers.CharField(source="province")
    sigla_provincia = serializers.CharField(source="province_code")
    regione = serializers.CharField(source="region")
    codice_catastale = serializers.CharField(source="cadastral_code")
    popolazione = serializers.IntegerField(source="population", allow_null=True)
    ambiti = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_ambiti(self, obj) -> list[str]:
        return sorted(a.code for a in obj.ambiti.all())


class AmbitoSerializer(serializers.Serializer):
    codice = serializers.CharField(source="code")
    nome = serializers.CharField(source="name")
    regione = serializers.CharField(source="region")
    descrizione = serializers.CharField(source="description")
    ente_capofila = ComuneRef(source="lead_comune")
    codice_ipa = serializers.CharField(source="ipa_code")
    email = serializers.CharField()
    pec = serializers.CharField()
    titolare_trattamento = serializers.CharField(source="data_controller_name")
    url = serializers.SerializerMethodField()
    dati_aperti = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return absolute(self.context.get("request"), obj.get_absolute_url())

    def get_dati_aperti(self, obj) -> str:
        path = reverse("opendata:ambito", kwargs={"code": obj.code})
        return absolute(self.context.get("request"), path)


class AmbitoDetailSerializer(AmbitoSerializer):
    comuni = ComuneRef(many=True, source="comuni_sorted")


# --- entities --------------------------------------------------------------------------------
class EntitySerializer(serializers.Serializer):
    """The fields of the entity's public profile: never its legal representative or phone."""

    id = serializers.IntegerField(source="pk")
    denominazione = serializers.CharField(source="name")
    ambito = serializers.CharField(source="ambito.code")
    stato = serializers.CharField(source="status")
    forma_giuridica = serializers.CharField(source="legal_form")
    forma_giuridica_etichetta = serializers.CharField(source="legal_form_label")
    ente_terzo_settore = serializers.BooleanField(source="is_ets")
    codice_fiscale = serializers.CharField(source="tax_code")
    partita_iva = serializers.CharField(source="vat_number")
    stato_runts = serializers.CharField(source="runts_status")
    sezione_runts = serializers.CharField(source="runts_section")
    numero_runts = serializers.CharField(source="runts_number", allow_null=True)
    data_iscrizione_runts = serializers.DateField(source="runts_date", allow_null=True)
    indirizzo = serializers.CharField(source="address")
    cap = serializers.CharField(source="postal_code")
    comune_sede = ComuneRef(source="seat_comune")
    email = serializers.CharField()
    pec = serializers.CharField()
    sito_web = serializers.CharField(source="website")
    volontari = serializers.IntegerField(source="volunteers")
    dipendenti = serializers.IntegerField(source="employees")
    descrizione = serializers.CharField(source="description")
    attivita = Named(many=True, source="activities.all")
    aree_utenza = Named(many=True, source="target_groups.all")
    comuni_operativi = ComuneRef(many=True, source="operating_comuni.all")
    logo = serializers.SerializerMethodField()
    url = PageLink("entities:detail")

    @extend_schema_field(NULLABLE_URI)
    def get_logo(self, obj) -> str | None:
        return absolute(self.context.get("request"), obj.logo.url) if obj.logo else None


# --- tables and meetings ---------------------------------------------------------------------
class TableSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    nome = serializers.CharField(source="name")
    ambito = serializers.CharField(source="ambito.code")
    tipo = serializers.CharField(source="kind")
    tipo_etichetta = serializers.CharField(source="get_kind_display")
    comune = ComuneRef(allow_null=True)
    descrizione = serializers.CharField(source="description")
    temi = Named(many=True, source="themes.all")
    aperto = serializers.BooleanField(source="is_open")
    riservato = serializers.BooleanField(source="is_private")
    archiviato_il = serializers.DateTimeField(source="archived_at", allow_null=True)
    url = PageLink("tables:detail")


class AgendaItemSerializer(serializers.Serializer):
    titolo = serializers.CharField(source="title")
    dettagli = serializers.CharField(source="description")


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    tavolo = serializers.IntegerField(source="table_id")
    tavolo_nome = serializers.CharField(source="table.name")
    ambito = serializers.CharField(source="table.ambito.code")
    titolo = serializers.CharField(source="title")
    stato = serializers.CharField(source="status")
    stato_etichetta = serializers.CharField(source="get_status_display")
    inizio = serializers.DateTimeField(source="starts_at")
    fine = serializers.DateTimeField(source="ends_at")
    luogo = serializers.CharField(source="place")
    collegamento_online = serializers.CharField(source="online_url")
    note = serializers.CharField(source="description")
    ordine_del_giorno = AgendaItemSerializer(many=True, source="agenda_items.all")
    verbale = serializers.SerializerMethodField()
    url = PageLink("tables:meeting_detail")

    @extend_schema_field(NULLABLE_URI)
    def get_verbale(self, obj) -> str | None:
        """The approved minutes' page, when the user may read them."""
        if not obj.public_minutes:
            return None
        return absolute(self.context.get("request"), object_url("tables:minutes_detail", pk=obj.pk))


class MinutesVersionSerializer(serializers.Serializer):
    versione = serializers.IntegerField(source="number")
    approvata_il = serializers.DateTimeField(source="approved_at", allow_null=True)
    pdf = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField()

    @extend_schema_field(NULLABLE_URI)
    def get_pdf(self, obj) -> str | None:
        if obj.pdf is None:
            return None
        path = reverse(
            "tables:minutes_version_pdf",
            kwargs={"pk": obj.minutes.meeting_id, "number": obj.number},
        )
        return absolute(self.context.get("request"), path)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sha256(self, obj) -> str | None:
        return obj.pdf.sha256 or None if obj.pdf is not None else None


class MeetingDetailSerializer(MeetingSerializer):
    versioni_verbale = MinutesVersionSerializer(many=True, source="minutes_versions")
