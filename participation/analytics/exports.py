"""The analytics as one spreadsheet (core.spreadsheets: CSV for Excel in Italian with BOM and
`;`, XLSX, ODS): one row per figure, as Section, Item, Indicator, Value, so that every number of
the page is a cell that can be read back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import tablib
from django.utils import formats
from django.utils.translation import gettext as _

from core.spreadsheets import dataset_of
from participation.analytics.figures import Figures


def _summary_rows(f: Figures) -> Iterator[tuple[Any, ...]]:
    s, section = f.summary, _("Sintesi")
    yield section, "", _("Enti che hanno partecipato"), s["entities"]
    yield section, "", _("Sedute"), s["meetings"]
    yield section, "", _("Invitati alle sedute"), s["attendance"]["invited"]
    yield section, "", _("Presenti alle sedute"), s["attendance"]["present"]
    yield section, "", _("Tasso di presenza (%)"), s["attendance"]["rate"]
    yield section, "", _("Domande ai procedimenti"), s["applications"]
    yield section, "", _("Iscrizioni agli eventi"), s["registrations"]
    yield section, "", _("Presenti agli eventi"), s["attendees"]
    yield section, "", _("Risposte ai questionari"), s["responses"]
    yield section, "", _("Proposte"), s["proposals"]
    yield section, "", _("Proposte con risposta"), s["answered"]
    yield section, "", _("Giorni per rispondere (media)"), s["avg_days"]
    yield section, "", _("Giorni per rispondere (mediana)"), s["median_days"]


def _rows(f: Figures) -> Iterator[tuple[Any, ...]]:
    yield from _summary_rows(f)
    for t in f.tables:
        yield _("Tavoli"), t["name"], _("Sedute"), t["n_meetings"]
        yield _("Tavoli"), t["name"], _("Invitati"), t["n_invited"]
        yield _("Tavoli"), t["name"], _("Presenti"), t["n_present"]
        yield _("Tavoli"), t["name"], _("Tasso di presenza (%)"), t["rate"]
    for m in f.meetings:
        name = f"{m['table__name']}: {m['title']} ({formats.date_format(m['starts_at'], 'SHORT_DATE_FORMAT')})"
        yield _("Sedute"), name, _("Invitati"), m["n_invited"]
        yield _("Sedute"), name, _("Presenti"), m["n_present"]
    for p in f.procedures:
        yield _("Procedimenti"), p["title"], _("Domande presentate"), p["n"]
    for e in f.events:
        yield _("Eventi"), e["title"], _("Iscritti"), e["n_registered"]
        yield _("Eventi"), e["title"], _("Presenti"), e["n_attended"]
    for s in f.surveys:
        yield _("Questionari"), s["title"], _("Risposte"), s["n"]
    labels = {
        "legal_form": _("Enti per forma giuridica"),
        "comune": _("Enti per comune"),
        "target_group": _("Enti per area di utenza"),
    }
    for key, rows in f.breakdowns.items():
        for r in rows:
            yield labels[key], r["label"], _("Enti"), r["n"]
    for e in f.entities:
        for indicator, value in (
            (_("Presenze alle sedute"), e["n_present"]),
            (_("Domande ai procedimenti"), e["n_applications"]),
            (_("Risposte ai questionari"), e["n_responses"]),
            (_("Proposte"), e["n_proposals"]),
        ):
            yield _("Enti"), e["name"], indicator, value


def analytics_dataset(f: Figures) -> tablib.Dataset:
    return dataset_of(
        [_("Sezione"), _("Voce"), _("Indicatore"), _("Valore")],
        _rows(f),
        title=_("Partecipazione"),
    )
