"""The open datasets of an ambito: what each file holds, column by column, and the rows.

Rows are the anonymous visitor's view (opendata.selectors.PUBLIC), whoever downloads. Each
dataset reads its rows in ONE query streamed from the database (`iterator(chunk_size=...)`; a
server-side cursor on PostgreSQL): related values (activities, comuni, the agenda...) are joined
in SQL (opendata.sql.joined), never prefetched, so an export of any size takes the same few
queries and the same memory. One module per domain; `opendata.datasets` keeps every name."""

from __future__ import annotations

from opendata.datasets.base import (
    CHUNK,
    FREQUENCY,
    LICENSE_NAME,
    LICENSE_URL,
    THEME,
    Column,
    Dataset,
    page,
    split,
)
from opendata.datasets.engagement import EVENTI, NOTIZIE
from opendata.datasets.meetings import SEDUTE, TAVOLI
from opendata.datasets.planning import FONDI, INTERVENTI, PIANI
from opendata.datasets.procedures import ACCREDITATI, AVVISI, DOCUMENTI, ESITI, PROCEDIMENTI
from opendata.datasets.territory import COMUNI, ENTI

DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in (
        COMUNI,
        ENTI,
        TAVOLI,
        SEDUTE,
        PROCEDIMENTI,
        AVVISI,
        ESITI,
        ACCREDITATI,
        DOCUMENTI,
        PIANI,
        INTERVENTI,
        FONDI,
        EVENTI,
        NOTIZIE,
    )
}
FORMATS = ("csv", "json")

__all__ = [
    "CHUNK",
    "DATASETS",
    "FORMATS",
    "FREQUENCY",
    "LICENSE_NAME",
    "LICENSE_URL",
    "THEME",
    "Column",
    "Dataset",
    "page",
    "split",
]
