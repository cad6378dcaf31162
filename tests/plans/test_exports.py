import hashlib
import re
import time
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from core.models import FileJob
from plans import exports, services
from plans.models import FundAvailability, Plan
from tests.factories.plans import fill_plan, make_plan, source
from tests.readback import body

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(BytesIO(content))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


@pytest.fixture
def plan(ambito, staff_user):
    plan = make_plan(ambito, user=staff_user)
    sec = plan.sections.get(order=20)
    services.section_update(
        section=sec,
        title=sec.title,
        body="<p>Priorità: la domiciliarità degli anziani.</p>",
        user=staff_user,
    )
    FundAvailability.objects.create(
        plan=plan, source=source("fnps"), year=2025, amount=Decimal("50000")
    )
    fill_plan(plan, 6, amount=Decimal("1234.50"))
    return plan


def test_pdf_has_cover_toc_sections_interventions_budget_and_page_numbers(plan):
    text, pages = _pdf_text(exports.plan_pdf_bytes(plan))
    assert plan.ambito.name in text and "2025-2027" in text
    assert "Indice" in text
    for section in plan.sections.all():
        assert section.title in text
    assert "Priorità: la domiciliarità degli anziani." in text
    for i in range(1, 7):
        assert f"Intervento numero {i}" in text
    # 6 interventions x 3 years x 1.234,50 = 22.221,00
    assert "22.221,00" in text
    assert "50.000,00" in text
    assert f"Pagina {pages} di {pages}" in text
    # the table of contents carries page numbers: the budget chapter starts after page 2
    import re

    toc = re.search(r"Bilancio integrato\s*\.+\s*(\d+)", text)
    assert toc and 2 < int(toc.group(1)) <= pages
    assert 8 <= pages <= 30


def test_xlsx_has_one_sheet_per_view_with_totals(plan):
    wb = load_workbook(BytesIO(exports.budget_xlsx(plan)))
    assert wb.sheetnames == ["Fonti e anni", "Aree", "Interventi"]
    by_source = wb["Fonti e anni"]
    last = [c.value for c in by_source[by_source.max_row]]
    assert last[0] == "Totale"
    assert Decimal(str(last[-2])) == Decimal("50000") and Decimal(str(last[-1])) == Decimal(
        "22221.00"
    )
    areas = wb["Aree"]
    assert Decimal(str(areas.cell(areas.max_row, areas.max_column).value)) == Decimal("22221.00")
    items = wb["Interventi"]
    assert items.max_row == 1 + 6 + 1
    assert sum(Decimal(str(items.cell(r, items.max_column).value)) for r in range(2, 8)) == Decimal(
        "22221.00"
    )
    assert isinstance(items.cell(2, 3).value, (int, float))


def _amounts(html: str) -> list[Decimal]:
    """The amounts written in Italian ("€ 1.234,50") in a piece of HTML, in order."""
    return [
        Decimal(a.replace(".", "").replace(",", "."))
        for a in re.findall(r"-?\d{1,3}(?:\.\d{3})*,\d{2}", html)
    ]


def test_downloaded_xlsx_totals_equal_the_budget_page_s(plan, client_for, staff_user):
    """The workbook downloaded from the budget page, read back: the total row of each sheet has
    the amounts of the total row of the page's table for the same view, in the same order."""
    client = client_for(staff_user)
    page = client.get(reverse("plans:budget", args=[plan.pk])).content.decode()
    page_totals = [_amounts(foot) for foot in re.findall(r"<tfoot>(.*?)</tfoot>", page, re.S)]
    response = client.get(reverse("plans:budget_xlsx", args=[plan.pk]))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    wb = load_workbook(BytesIO(body(response)))
    sheet_totals = []
    for name in ("Fonti e anni", "Aree", "Interventi"):
        ws = wb[name]
        row = [c.value for c in ws[ws.max_row]]
        assert row[0] == "Totale", name
        sheet_totals.append(
            [Decimal(str(v)).quantize(Decimal("0.01")) for v in row if isinstance(v, (int, float))]
        )
    assert page_totals == sheet_totals
    # and they are the plan's: 6 interventions x 3 years x 1.234,50, 50.000 available
    assert sheet_totals[0][-2:] == [Decimal("50000.00"), Decimal("22221.00")]
    assert sheet_totals[2][-1] == Decimal("22221.00")


def test_xlsx_escapes_every_formula_prefix_and_keeps_amounts_numbers(plan):
    """OWASP's CSV injection list in the names a user types (a source of the ambito, an
    intervention), read back from the workbook; amounts stay numbers."""
    from plans.models import FundingSource, Intervention

    own = FundingSource.objects.create(ambito=plan.ambito, code="propria", name="\t=1+1")
    FundAvailability.objects.create(plan=plan, source=own, year=2025, amount=Decimal("10.50"))
    for title in ("+1+1", "-1+1", "@SUM(A1)", "\r=1+1"):
        item = Intervention.objects.create(
            plan=plan, title=title, code="", area=plan.interventions.first().area, objective="x"
        )
        item.budget_lines.create(source=own, year=2025, amount=Decimal("1.00"))
    wb = load_workbook(BytesIO(exports.budget_xlsx(plan)))
    sources = [row for row in wb["Fonti e anni"].iter_rows(min_row=2) if row[0].value != "Totale"]
    own_row = next(row for row in sources if "1+1" in row[0].value)
    assert own_row[0].value == "'\t=1+1" and own_row[0].data_type == "s"
    assert own_row[1].value == 10.5
    assert own_row[1].data_type == "n"
    titles = {row[0].value for row in wb["Interventi"].iter_rows(min_row=2)}
    # the cell is "code title" stripped: the title's leading carriage return goes with it
    assert {"'+1+1", "'-1+1", "'@SUM(A1)", "'=1+1"} <= titles


def test_pdf_export_job_progress_and_download(
    client_for, plan, staff_user, django_capture_on_commit_callbacks, entity_admin
):
    c = client_for(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("plans:export", args=[plan.pk]))
    assert r.status_code == 302
    job = FileJob.objects.get(kind=services.PDF_KIND)
    assert job.status == FileJob.Status.DONE
    status = c.get(reverse("plans:export_status", args=[plan.pk, job.pk]))
    assert reverse("plans:export_download", args=[plan.pk, job.pk]) in status.content.decode()
    r = c.get(reverse("plans:export_download", args=[plan.pk, job.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    # an entity person cannot see the draft plan nor its files
    assert (
        client_for(entity_admin)
        .get(reverse("plans:export_download", args=[plan.pk, job.pk]))
        .status_code
        == 404
    )


def test_large_plan_pdf_within_bounds(ambito, staff_user):
    """150 interventions: the benchmark's bound is 15 s and 500 MB (issue 7). The peak is the
    rendering's own: the test process's peak is reset first (Linux: clear_refs 5), since what
    other tests in the same process used before must not count."""
    plan = make_plan(ambito, user=staff_user)
    for code in ("fnps", "comuni"):
        for y in plan.years:
            FundAvailability.objects.create(
                plan=plan, source=source(code), year=y, amount=Decimal("500000")
            )
    fill_plan(plan, 150)
    # Its time is measured by the benchmark (bench/), not here: a loaded machine must not fail CI.
    Path("/proc/self/clear_refs").write_text("5")
    content = exports.plan_pdf_bytes(plan)
    peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())[1])
    text, pages = _pdf_text(content)
    assert "Intervento numero 150" in text
    assert pages > 20
    assert peak_kb < 500 * 1024


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_pdf_rendered_by_a_real_worker(celery_worker_process, ambito, staff_user):
    plan = make_plan(ambito, user=staff_user, status=Plan.Status.CONSULTATION)
    fill_plan(plan, 3)
    from django.db import transaction

    with transaction.atomic():
        job = services.pdf_export_start(plan=plan, user=staff_user)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (FileJob.Status.DONE, FileJob.Status.FAILED):
            break
        time.sleep(0.5)
    assert job.status == FileJob.Status.DONE, job.error
    assert job.file.open("rb").read(4) == b"%PDF"


def _approved(plan, staff_user, capture):
    from datetime import date

    services.plan_open_consultation(plan=plan, until=None, user=staff_user)
    with capture(execute=True):
        return services.plan_approve(
            plan=plan, act_number="7", act_date=date(2026, 1, 15), user=staff_user
        )


def test_the_approved_version_is_one_file_its_digest_public(
    client, client_for, plan, staff_user, django_capture_on_commit_callbacks
):
    """The approved plan is an act: its PDF is rendered once and kept; exporting it again
    gives the same bytes; the public pages show its SHA-256, which matches the download."""
    version = _approved(plan, staff_user, django_capture_on_commit_callbacks)
    version.refresh_from_db()
    public = client.get(reverse("plans:version_pdf", args=[plan.pk, version.number]))
    published = b"".join(public.streaming_content)
    assert version.pdf_sha256 == hashlib.sha256(published).hexdigest()
    for url in (
        reverse("plans:version", args=[plan.pk, version.number]),
        reverse("plans:detail", args=[plan.pk]),
    ):
        assert version.pdf_sha256 in client.get(url).content.decode(), url
    # a new export by the staff (a second click weeks later) is the same file, not a new one
    c = client_for(staff_user)
    FileJob.objects.filter(kind=services.PDF_KIND).delete()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("plans:export", args=[plan.pk]))
    job = FileJob.objects.get(kind=services.PDF_KIND)
    again = b"".join(
        c.get(reverse("plans:export_download", args=[plan.pk, job.pk])).streaming_content
    )
    assert again == published and job.sha256 == version.pdf_sha256


def test_a_revision_waits_for_the_approved_version_s_pdf(ambito, staff_user):
    """Until the approved version's PDF is rendered, the plan's rows are its only source: a
    revision (which unlocks them) cannot start before it exists."""
    from datetime import date

    from django.core.exceptions import ValidationError

    plan = make_plan(ambito, user=staff_user)
    fill_plan(plan, 2)
    services.plan_open_consultation(plan=plan, until=None, user=staff_user)
    services.plan_approve(plan=plan, act_number="7", act_date=date(2026, 1, 15), user=staff_user)
    # the rendering job was not run (no on-commit callbacks executed)
    with pytest.raises(ValidationError, match="PDF"):
        services.plan_start_revision(plan=plan, user=staff_user, reason="aggiornamento")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED
