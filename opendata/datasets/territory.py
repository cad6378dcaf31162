"""Datasets of the territory and its bodies: comuni, Third Sector entities."""

from __future__ import annotations

from django.db.models import (
    Exists,
    F,
    OuterRef,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from entities.models import LEGAL_FORM_RULES, Entity
from entities.permissions import entity_policy
from opendata.datasets.base import C, Dataset, page, split
from opendata.selectors import PUBLIC
from opendata.sql import joined


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
