"""The plan's PDF (through core.pdf), the budget's XLSX (openpyxl) and the interventions' table
(CSV, XLSX or ODS through core.spreadsheets)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import tablib
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import pdf
from core.formatting import cents
from core.models import FileJob
from core.spreadsheets import dataset_of, safe_row
from core.storage import sha256_of
from plans import charts, selectors
from plans.models import Plan, PlanVersion

PDF_TEMPLATE = "pdf/plans_plan.html"


def pdf_context(plan: Plan, *, version: PlanVersion | None = None) -> dict:
    budget = selectors.plan_budget(plan)
    interventions = list(selectors.interventions_of(plan))
    for item in interventions:
        item.year_totals = selectors.intervention_year_totals(item, plan.years)
        item.total = sum(item.year_totals)
    return {
        "plan": plan,
        "version": version,
        "title": str(plan),
        "sections": selectors.sections_of(plan),
        "interventions": interventions,
        "budget": budget,
        "chart": charts.budget_by_area_chart(budget, title=_("Bilancio per area di intervento")),
        "path": selectors.participation_path(plan),
        "participation": selectors.participation_summary(plan),
        "mapping": selectors.needs_by_area(plan.ambito_id),
        "generated_at": timezone.now(),
    }


def plan_pdf_bytes(plan: Plan, *, version: PlanVersion | None = None) -> bytes:
    return pdf.render_pdf(PDF_TEMPLATE, pdf_context(plan, version=version))


def pdf_filename(plan: Plan, version: PlanVersion | None) -> str:
    suffix = f"v{version.number}" if version else timezone.localdate().isoformat()
    return f"{slugify(plan.ambito.name)}-piano-di-zona-{plan.period}-{suffix}.pdf"


def produce_pdf(job: FileJob, progress) -> tuple[str, bytes]:
    """core.jobs producer: the owner is a Plan (working copy) or a PlanVersion (approved).
    An approved version is an act: its PDF is rendered once, kept with its SHA-256, and every
    later export of that version gives the same file."""
    owner = job.owner
    version = owner if isinstance(owner, PlanVersion) else None
    plan = Plan.objects.select_related("ambito").get(pk=version.plan_id if version else owner.pk)
    name = pdf_filename(plan, version)
    if version is not None and version.pdf:
        with version.pdf.open("rb") as kept:
            return name, kept.read()
    progress(10)
    html_ctx = pdf_context(plan, version=version)
    progress(30)
    content = pdf.render_pdf(PDF_TEMPLATE, html_ctx)
    progress(95)
    if version is not None:
        from django.core.files.base import ContentFile

        version.pdf.save(name, ContentFile(content), save=False)
        PlanVersion.objects.filter(pk=version.pk, pdf="").update(
            pdf=version.pdf.name, pdf_sha256=sha256_of(content)
        )
    return name, content


def budget_xlsx(plan: Plan) -> bytes:
    """One sheet per view: by source and year (available, allocated), by area, by intervention.
    Amounts are numbers with the euro format; totals are numbers too (not formulas), so any
    reader sees them without recalculation."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    budget = selectors.plan_budget(plan)
    years = budget.years
    euro = '#,##0.00 "€"'
    bold = Font(bold=True)
    wb = Workbook()

    def sheet(ws, header: list[str], rows: list[list], total_row: list | None) -> None:
        ws.append(safe_row(header))
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(safe_row(row))
        if total_row:
            ws.append(safe_row(total_row))
            for cell in ws[ws.max_row]:
                cell.font = bold
        for col in ws.iter_cols(min_row=2):
            for cell in col:
                if (
                    isinstance(cell.value, (int, float, Decimal))
                    and not isinstance(cell.value, bool)
                    and cell.column > 1
                ):
                    cell.number_format = euro
        for i, _h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = 46 if i == 1 else 18
        ws.freeze_panes = "B2"

    ws = wb.active
    ws.title = _("Fonti e anni")[:31]
    header = [_("Fonte")]
    for y in years:
        header += [_("Disponibile %(y)s") % {"y": y}, _("Assegnato %(y)s") % {"y": y}]
    header += [_("Disponibile totale"), _("Assegnato totale")]
    rows = []
    for r in budget.rows:
        row = [r.source.name]
        for c in r.cells:
            row += [Decimal(c.available), Decimal(c.allocated)]
        rows.append([*row, Decimal(r.total.available), Decimal(r.total.allocated)])
    total = [_("Totale")]
    for c in budget.year_totals:
        total += [Decimal(c.available), Decimal(c.allocated)]
    sheet(
        ws, header, rows, [*total, Decimal(budget.total.available), Decimal(budget.total.allocated)]
    )

    ws = wb.create_sheet(_("Aree")[:31])
    sheet(
        ws,
        [_("Area di intervento"), *[str(y) for y in years], _("Totale")],
        [[a.area.name, *[Decimal(x) for x in a.amounts], Decimal(a.total)] for a in budget.areas],
        [
            _("Totale"),
            *[Decimal(x) for x in budget.area_year_totals],
            Decimal(budget.total.allocated),
        ],
    )

    ws = wb.create_sheet(_("Interventi")[:31])
    rows = []
    for item in selectors.interventions_with_totals(plan):
        rows.append(
            [
                f"{item.code} {item.title}".strip(),
                item.area.name,
                *[Decimal(x) for x in item.year_totals],
                Decimal(item.total),
            ]
        )
    sheet(
        ws,
        [_("Intervento"), _("Area"), *[str(y) for y in years], _("Totale")],
        rows,
        [
            _("Totale"),
            "",
            *[Decimal(x) for x in budget.area_year_totals],
            Decimal(budget.total.allocated),
        ],
    )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _runner(item) -> str:
    if item.runner_entity_id:
        return item.runner_entity.name
    if item.runner_comune_id:
        return item.runner_comune.name
    return str(item.get_runner_display())


def interventions_dataset(plan: Plan) -> tablib.Dataset:
    """The plan's interventions, one row each, with what their cards say and the amounts
    allocated per year (numbers with their cents, not text: "1234,50" in the CSV). Three queries whatever the number of interventions."""
    years = plan.years
    headers = [
        _("Codice"),
        _("Intervento"),
        _("Area di intervento"),
        _("Obiettivo"),
        _("Chi lo realizza"),
        _("Destinatari"),
        _("Comuni coinvolti"),
        *[_("Assegnato %(y)s") % {"y": y} for y in years],
        _("Assegnato totale"),
    ]
    rows = [
        [
            item.code,
            item.title,
            item.area.name,
            item.objective,
            _runner(item),
            ", ".join(t.name for t in item.target_groups.all()),
            ", ".join(c.name for c in item.comuni.all()),
            *[cents(x) for x in item.year_totals],
            cents(item.total),
        ]
        for item in selectors.interventions_with_totals(plan, detailed=True)
    ]
    return dataset_of(headers, rows, title=_("Interventi"))
