"""Datasets of participation: events and news."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from opendata.datasets.base import C, Dataset, page
from opendata.selectors import PUBLIC
from participation.models import Event
from participation.permissions import event_policy, news_policy


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
