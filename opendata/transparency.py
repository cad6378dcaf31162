"""Amministrazione Trasparente (D.Lgs. 33/2013): the records an ambito publishes for its
procedures, one row per act, in the columns the transparency sections use.

- art. 37 (bandi di gara e contratti / avvisi): each published version of an avviso;
- art. 23 (provvedimenti): the admissions and exclusions once the results are public, the
  outcome acts, the agreement (convenzione) with the parties;
- artt. 26-27 (sovvenzioni, contributi, vantaggi economici): the amounts granted to each
  beneficiary, from the project's budget (the agreement's resources when there is none).

Only procedures the public sees are published (a draft never is). Personal data are redacted by
one rule (`redacted`): natural persons' data never appear in the art. 26-27 records (art. 26
c. 4), so beneficiaries that are natural persons or informal groups are named by a placeholder
and their fiscal code left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from ambito.models import Ambito
from entities.models import Entity
from processes import workflow
from processes.models import Application, ApplicationStatus, Notice, Procedure, ProjectBudgetLine
from processes.permissions import procedure_policy

from .selectors import PUBLIC

ART_37, ART_23, ART_26 = "art. 37", "art. 23", "artt. 26-27"
COLUMNS = (
    "sezione", "procedimento_id", "procedimento", "tipo_atto", "oggetto", "data", "importo",
    "beneficiario", "codice_fiscale_beneficiario", "base_giuridica", "ufficio_responsabile",
    "responsabile_procedimento", "collegamento",
)  # fmt: skip
# Legal forms of natural persons or of groups of them (no legal personality of their own).
NATURAL_PERSON_FORMS = frozenset({Entity.LegalForm.INFORMAL})


def redacted(entity: Entity | None) -> bool:
    """Whether a beneficiary's identity stays out of the art. 26-27 records (art. 26 c. 4
    D.Lgs. 33/2013: natural persons' data are not published)."""
    return entity is not None and entity.legal_form in NATURAL_PERSON_FORMS


def _beneficiary(entity: Entity | None, *, section: str) -> tuple[str, str]:
    if entity is None:
        return "", ""
    if section == ART_26 and redacted(entity):
        return _("Dati personali non pubblicati (art. 26 c. 4 D.Lgs. 33/2013)"), ""
    return entity.name, entity.tax_code or ""


def public_procedures(ambito: Ambito) -> QuerySet[Procedure]:
    return (
        procedure_policy.visible(PUBLIC)
        .filter(ambito=ambito)
        .select_related("ambito", "rup", "agreement")
        .prefetch_related(
            Prefetch(
                "notices",
                queryset=Notice.objects.filter(published_at__isnull=False).order_by("version"),
                to_attr="published_notices",
            ),
            Prefetch("documents"),
            Prefetch("agreement__parties", queryset=Entity.objects.order_by("name")),
            Prefetch(
                "applications",
                queryset=Application.objects.filter(
                    status__in=[ApplicationStatus.ADMITTED, ApplicationStatus.NOT_ADMITTED]
                )
                .select_related("entity")
                .order_by("entity__name"),
                to_attr="decided_applications",
            ),
            Prefetch(
                "project_budget",
                queryset=ProjectBudgetLine.objects.select_related("entity").order_by("pk"),
                to_attr="budget_lines",
            ),
        )
        .order_by("-created_at", "-pk")
    )


def records(procedures: Iterable[Procedure]) -> list[dict]:
    """The rows of every act of `procedures` (from public_procedures), in COLUMNS."""
    rows: list[dict] = []
    for procedure in procedures:
        rows.extend(procedure_records(procedure))
    return rows


def procedure_records(procedure: Procedure) -> list[dict]:
    link = settings.SITE_URL + reverse("processes:detail", kwargs={"pk": procedure.pk})
    rup = procedure.rup.display_name if procedure.rup_id else ""
    base = {
        "procedimento_id": procedure.pk,
        "procedimento": procedure.title,
        "base_giuridica": procedure.legal_basis or str(procedure.Kind(procedure.kind).label),
        "ufficio_responsabile": _("Ufficio di Piano — %(a)s") % {"a": procedure.ambito.name},
        "responsabile_procedimento": rup,
        "collegamento": link,
    }

    def row(section, kind, subject, when, amount=None, entity=None) -> dict:
        name, code = _beneficiary(entity, section=section)
        return {**base, "sezione": section, "tipo_atto": kind, "oggetto": subject,
                "data": when, "importo": amount, "beneficiario": name,
                "codice_fiscale_beneficiario": code}  # fmt: skip

    rows = [
        row(
            ART_37,
            _("Avviso (versione %(v)s)") % {"v": n.version},
            n.subject,
            n.published_at,
            procedure.budget,
        )  # fmt: skip
        for n in procedure.published_notices
    ]
    if workflow.results_public(procedure) and not procedure.is_open_list:
        for application in procedure.decided_applications:
            admitted = application.status == ApplicationStatus.ADMITTED
            kind = _("Ammissione") if admitted else _("Esclusione")
            rows.append(row(ART_23, kind, procedure.subject, application.decided_at,
                            entity=application.entity))  # fmt: skip
    for document in procedure.documents.all():
        rows.append(row(ART_23, document.get_kind_display(), document.title,
                        document.act_date or document.created_at))  # fmt: skip
    agreement = getattr(procedure, "agreement", None)
    if agreement is not None:
        parties = list(agreement.parties.all())
        rows.append(row(ART_23, _("Convenzione"), agreement.notes or procedure.subject,
                        agreement.signed_on, agreement.resources))  # fmt: skip
        rows.extend(_grants(procedure, agreement, parties, row))
    return rows


def _grants(procedure, agreement, parties, row) -> list[dict]:
    """Art. 26-27: what each party receives, from the project budget (its own co-financing is
    not a grant), or the agreement's resources when the budget is not itemised."""
    granted: dict[int, Decimal] = defaultdict(Decimal)
    entities: dict[int, Entity] = {}
    for line in procedure.budget_lines:
        if line.entity_id is not None and line.fund != "ets":
            granted[line.entity_id] += line.amount
            entities[line.entity_id] = line.entity
    kind = _("Vantaggio economico (convenzione del %(d)s)") % {"d": agreement.signed_on}
    if granted:
        return [
            row(ART_26, kind, procedure.subject, agreement.signed_on, amount, entities[pk])
            for pk, amount in sorted(granted.items(), key=lambda i: entities[i[0]].name)
        ]
    if len(parties) == 1:
        return [row(ART_26, kind, procedure.subject, agreement.signed_on, agreement.resources,
                    parties[0])]  # fmt: skip
    return []


# --- XML -------------------------------------------------------------------------------------
def to_xml(ambito: Ambito, rows: Iterable[dict]) -> bytes:
    from .views import cell

    root = ET.Element("trasparenza", {"ambito": ambito.code, "titolare": ambito.name})
    for record in rows:
        element = ET.SubElement(root, "atto")
        for name in COLUMNS:
            value = cell(record.get(name))
            ET.SubElement(element, name).text = str(value) if value != "" else None
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
