"""Amministrazione Trasparente: the records of an ambito's public procedures (art. 37, 23,
26-27) read back from the page and the CSV, JSON and XML files; a natural person's group is
never named in the art. 26-27 records; a draft procedure is not published."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import defusedxml.ElementTree as SafeET
import pytest
from django.urls import reverse
from django.utils import timezone

from entities.models import Entity
from processes.models import Agreement, ProjectBudgetLine
from tests.factories.entities import EntityFactory
from tests.factories.processes import ApplicationFactory, NoticeFactory, ProcedureFactory

REDACTED = "Dati personali non pubblicati (art. 26 c. 4 D.Lgs. 33/2013)"


@pytest.fixture
def published(ambito, staff_user):
    procedure = ProcedureFactory(
        ambito=ambito, status="execution", title="Domiciliarità 2026", rup=staff_user
    )
    NoticeFactory(procedure=procedure, published_at=timezone.now(), subject="Avviso domiciliarità")
    odv = EntityFactory(ambito=ambito, name="ODV Il Faro", legal_form=Entity.LegalForm.ODV)
    group = EntityFactory(
        ambito=ambito, name="Gruppo Mario Rossi", legal_form=Entity.LegalForm.INFORMAL
    )
    ApplicationFactory(procedure=procedure, entity=odv, status="admitted",
                       decided_at=timezone.now())  # fmt: skip
    ApplicationFactory(procedure=procedure, entity=group, status="admitted",
                       decided_at=timezone.now())  # fmt: skip
    agreement = Agreement.objects.create(
        procedure=procedure, signed_on=timezone.localdate(), starts_on=timezone.localdate(),
        duration_months=12, resources=Decimal("8000"), reporting_schedule="annual",
        file="agreements/convenzione.pdf",
    )  # fmt: skip
    agreement.parties.set([odv, group])
    for entity, fund, amount in [(odv, "fnps", 5000), (odv, "ets", 1000), (group, "fnps", 2000)]:
        ProjectBudgetLine.objects.create(
            procedure=procedure, entity=entity, fund=fund, description="Voce", amount=amount
        )
    draft = ProcedureFactory(ambito=ambito, status="draft", title="Bozza riservata")
    NoticeFactory(procedure=draft, subject="Avviso in bozza")
    return procedure, draft, odv, group


def _csv(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_has_every_section_and_redacts_natural_persons(client, ambito, published):
    procedure, _draft, odv, group = published
    rows = _csv(client, reverse("opendata:transparency_download",
                                kwargs={"code": ambito.code, "fmt": "csv"}))  # fmt: skip
    by_section = {}
    for row in rows:
        by_section.setdefault(row["sezione"], []).append(row)
    [notice] = by_section["art. 37"]
    assert (notice["oggetto"], notice["importo"], notice["procedimento"]) == (
        "Avviso domiciliarità",
        "100000.00",
        "Domiciliarità 2026",
    )
    assert notice["base_giuridica"] == "Piano di Zona 2025-2027"
    assert notice["responsabile_procedimento"] == procedure.rup.display_name
    assert notice["ufficio_responsabile"] == f"Ufficio di Piano — {ambito.name}"
    assert notice["collegamento"].endswith(reverse("processes:detail", args=[procedure.pk]))
    acts = {(r["tipo_atto"], r["beneficiario"]) for r in by_section["art. 23"]}
    assert ("Ammissione", "ODV Il Faro") in acts and ("Convenzione", "") in acts
    grants = [(r["beneficiario"], r["codice_fiscale_beneficiario"], r["importo"])
              for r in by_section["artt. 26-27"]]  # fmt: skip
    assert grants == [(REDACTED, "", "2000.00"), ("ODV Il Faro", odv.tax_code, "5000.00")]
    text = "\n".join(",".join(r.values()) for r in by_section["artt. 26-27"])
    assert "Gruppo Mario Rossi" not in text and group.tax_code not in text
    assert "Bozza riservata" not in {r["procedimento"] for r in rows}


def test_json_and_xml_carry_the_same_records(client, ambito, published):
    procedure = published[0]
    base = {"code": ambito.code}
    data = json.loads(client.get(reverse("opendata:transparency_download",
                                         kwargs={**base, "fmt": "json"})).content)  # fmt: skip
    assert data["ambito"] == ambito.code and len(data["atti"]) == 6
    assert {a["sezione"] for a in data["atti"]} == {"art. 37", "art. 23", "artt. 26-27"}
    response = client.get(
        reverse("opendata:transparency_download", kwargs={**base, "fmt": "xml"}),
        {"procedimento": procedure.pk},
    )
    root = SafeET.fromstring(response.content)
    assert root.tag == "trasparenza" and root.get("ambito") == ambito.code
    grants = [a for a in root.findall("atto") if a.findtext("sezione") == "artt. 26-27"]
    assert sorted(a.findtext("importo") for a in grants) == ["2000.00", "5000.00"]
    assert REDACTED in [a.findtext("beneficiario") for a in grants]


def test_per_procedure_record_and_draft_404(client, ambito, published):
    procedure, draft, *_ = published
    url = reverse("opendata:transparency_procedure",
                  kwargs={"code": ambito.code, "pk": procedure.pk, "fmt": "csv"})  # fmt: skip
    rows = _csv(client, url)
    assert {r["procedimento_id"] for r in rows} == {str(procedure.pk)}
    draft_url = reverse("opendata:transparency_procedure",
                        kwargs={"code": ambito.code, "pk": draft.pk, "fmt": "json"})  # fmt: skip
    assert client.get(draft_url).status_code == 404
    whole = reverse("opendata:transparency_download", kwargs={"code": ambito.code, "fmt": "csv"})
    assert client.get(whole, {"procedimento": draft.pk}).status_code == 404
    assert client.get(whole, {"procedimento": "x"}).status_code == 404


def test_public_page_lists_the_acts_and_is_linked(client, ambito, published):
    page = client.get(reverse("opendata:transparency", kwargs={"code": ambito.code}))
    text = page.content.decode()
    assert "Avviso domiciliarità" in text and "ODV Il Faro" in text and REDACTED in text
    assert "Gruppo Mario Rossi" in text  # admitted (art. 23): an admission names the group
    assert "Bozza riservata" not in text
    home = client.get(reverse("opendata:ambito", kwargs={"code": ambito.code})).content.decode()
    assert reverse("opendata:transparency", kwargs={"code": ambito.code}) in home
