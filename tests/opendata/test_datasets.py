"""The open-data files of an ambito, read back: CSV (RFC 4180, UTF-8, formula-safe cells) and
JSON (with the licence and the columns), only what anyone may see, streamed in a constant
number of queries whatever the number of rows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entities.models import Entity
from opendata.datasets import DATASETS
from tests.factories.entities import EntityFactory

pytestmark = pytest.mark.django_db


def download(client, ambito, dataset: str, fmt: str) -> tuple[object, str]:
    url = reverse("opendata:download", kwargs={"code": ambito.code, "dataset": dataset, "fmt": fmt})
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming  # StreamingHttpResponse: rows leave as they are read
    return response, b"".join(response.streaming_content).decode("utf-8")


def rows(client, ambito, dataset: str) -> list[dict]:
    response, text = download(client, ambito, dataset, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not text.startswith("\ufeff")  # no BOM: the first column keeps its name
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == DATASETS[dataset].headers
    return list(reader)


def test_csv_reads_back_with_accents_and_formulae_as_text(client, ambito):
    EntityFactory(ambito=ambito, name="Associazione Città Più Solidale", description="x")
    EntityFactory(ambito=ambito, name='=HYPERLINK("http://evil.example","clic")')
    EntityFactory(ambito=ambito, name="Ente in attesa", status=Entity.Status.PENDING)
    Entity.objects.filter(name__startswith="Associazione Città").update(
        legal_representative="Rappresentante Riservato", phone="071 123456"
    )
    found = {r["denominazione"]: r for r in rows(client, ambito, "enti")}
    assert "Associazione Città Più Solidale" in found
    assert '\'=HYPERLINK("http://evil.example","clic")' in found  # shown as text
    assert "Ente in attesa" not in found  # pending: not public
    row = found["Associazione Città Più Solidale"]
    assert row["ente_terzo_settore"] == "true"
    assert row["url"].endswith(f"/enti/{Entity.objects.get(name=row['denominazione']).pk}/")
    _, text = download(client, ambito, "enti", "csv")
    assert "Rappresentante Riservato" not in text and "123456" not in text


def test_json_carries_licence_columns_and_the_same_rows(client, ambito):
    EntityFactory(ambito=ambito, name="Associazione Città Più Solidale")
    response, text = download(client, ambito, "enti", "json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert 'attachment; filename="' in response["Content-Disposition"]
    data = json.loads(text)
    assert data["licenza"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert [c["nome"] for c in data["colonne"]] == DATASETS["enti"].headers
    assert data["titolare"].startswith("Comune di")
    from_csv = rows(client, ambito, "enti")
    assert [d["denominazione"] for d in data["dati"]] == [r["denominazione"] for r in from_csv]
    assert data["dati"][0]["ente_terzo_settore"] is True
    assert isinstance(data["dati"][0]["volontari"], int)


def test_files_hold_what_anyone_may_see(client, world):
    ambito = world.ambito
    plans = {int(r["id"]) for r in rows(client, ambito, "piani")}
    assert plans == {world.approved_plan.pk}  # not the draft
    tables = {int(r["id"]) for r in rows(client, ambito, "tavoli")}
    assert world.table.pk in tables and world.reserved_table.pk not in tables
    assert world.other_table.pk not in tables  # another ambito's
    meetings = {int(r["id"]) for r in rows(client, ambito, "sedute")}
    assert world.convened.pk in meetings
    assert world.meeting.pk not in meetings  # a draft
    assert world.reserved_past.pk not in meetings
    news = {int(r["id"]) for r in rows(client, ambito, "notizie")}
    assert world.news.pk in news
    assert not news & {world.draft_news.pk, world.scheduled_news.pk}
    results = rows(client, ambito, "esiti")
    procedures = {int(r["procedimento_id"]) for r in results}
    assert world.ranked.pk in procedures
    assert not procedures & {world.open_procedure.pk, world.admission.pk, world.evaluation.pk}
    ranked = {r["ente"]: r for r in results if int(r["procedimento_id"]) == world.ranked.pk}
    assert ranked[world.entity.name]["esito"] == "ammesso"
    assert ranked[world.entity.name]["punteggio"] == "70.00"
    assert ranked[world.other_entity.name]["esito"] == "non_ammesso"
    interventions = {int(r["piano_id"]) for r in rows(client, ambito, "interventi")}
    assert interventions == {world.approved_plan.pk}
    funds = rows(client, ambito, "fondi")
    assert {(r["fonte"], r["anno"], r["disponibile"]) for r in funds} >= {
        ("fnps", "2025", "50000.00")
    }
    documents = rows(client, ambito, "documenti")
    assert {r["titolo"] for r in documents} >= {"Approvazione della graduatoria", "Convenzione"}
    # a logged-in member of the reserved table downloads the same public files
    client.force_login(world.personas["delegate"])
    assert world.reserved_table.pk not in {int(r["id"]) for r in rows(client, ambito, "tavoli")}
    for dataset in DATASETS:
        for fmt in ("csv", "json"):
            download(client, ambito, dataset, fmt)


@pytest.mark.parametrize("dataset", ["enti", "tavoli", "procedimenti", "eventi"])
def test_an_export_reads_a_constant_number_of_queries(client, ambito, dataset):
    from tests.factories.participation import EventFactory
    from tests.factories.processes import NoticeFactory, ProcedureFactory
    from tests.factories.tables import TableFactory

    def make(n: int, start: int) -> None:
        for i in range(start, start + n):
            if dataset == "enti":
                EntityFactory(ambito=ambito)
            elif dataset == "tavoli":
                TableFactory(ambito=ambito, slug=f"tavolo-{i}")
            elif dataset == "procedimenti":
                NoticeFactory(procedure=ProcedureFactory(ambito=ambito, status="notice_published"))
            else:
                EventFactory(ambito=ambito)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            _, text = download(client, ambito, dataset, "csv")
        return len(ctx.captured_queries), text.count("\r\n") - 1

    make(2, 0)
    few, rows_few = queries()
    make(40, 2)
    many, rows_many = queries()
    assert rows_many == rows_few + 40
    assert many == few, f"{dataset}: {few} queries for {rows_few} rows, {many} for {rows_many}"


def test_unknown_dataset_or_format_is_a_404(client, ambito):
    assert client.get(f"/dati-aperti/{ambito.code}/nessuno.csv").status_code == 404
    assert client.get(f"/dati-aperti/{ambito.code}/enti.xml").status_code == 404
    assert client.get("/dati-aperti/ambito-inesistente/enti.csv").status_code == 404
