"""Spreadsheet exports of procedures (core.spreadsheets writes the file in the chosen format)."""

from __future__ import annotations

from typing import Any

import tablib
from django.utils.translation import gettext as _

from core.spreadsheets import dataset_of
from processes import selectors
from processes.models import Procedure


def applications_dataset(procedure: Procedure) -> tablib.Dataset:
    """The applications presented to `procedure` (drafts never), as its "Domande presentate"
    section lists them, with the partners and the decision; the score and the rank of a
    co-design procedure. Three queries whatever the number of applications."""
    codesign = procedure.is_codesign
    headers = [
        _("Ente"),
        _("Codice fiscale"),
        _("Capofila"),
        _("Partner"),
        _("Numero di protocollo"),
        _("Presentata il"),
        _("Stato"),
        _("Decisa il"),
        _("Motivazione della decisione"),
    ]
    if codesign:
        headers += [_("Punteggio"), _("Posizione in graduatoria")]
    rows = []
    for app in selectors.applications_of_procedure(procedure):
        row: list[Any] = [
            app.entity.name,
            app.entity.tax_code,
            app.lead.name,
            ", ".join(sorted(p.name for p in app.partners.all())),
            app.protocol_number,
            app.submitted_at,
            app.status_label,
            app.decided_at,
            app.decision_reason,
        ]
        if codesign:
            row += [app.total_score, app.rank]
        rows.append(row)
    return dataset_of(headers, rows, title=_("Domande"))
