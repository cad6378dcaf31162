"""What a dataset is (its columns, its rows, its last change) and the helpers every dataset uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import (
    Max,
    QuerySet,
)
from django.utils import timezone

from ambito.models import Ambito
from core.links import object_url

CHUNK = 2000  # rows fetched from the database at a time
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)"
# EU vocabularies (DCAT-AP): data themes and frequencies.
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


@dataclass(frozen=True)
class Column:
    name: str
    description: Any  # lazy text
    datatype: str = "string"  # string, integer, decimal, boolean, date, datetime, anyURI


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Any
    description: Any
    theme: str  # code of the EU data-theme vocabulary
    frequency: str  # code of the EU frequency vocabulary
    keywords: tuple[str, ...]
    columns: tuple[Column, ...]
    queryset: Callable[[Ambito], QuerySet]
    # fields whose latest value dates the dataset's last change (dct:modified)
    dated_by: tuple[str, ...]
    # a row of the file from a row of the queryset
    row: Callable[[dict], list] | None = None
    # or the rows of the file, when they come from more than one query
    stream: Callable[[Ambito], Iterator[list]] | None = None

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    def rows(self, ambito: Ambito) -> Iterator[list]:
        if self.stream is not None:
            yield from self.stream(ambito)
            return
        for values in self.queryset(ambito).iterator(chunk_size=CHUNK):
            yield self.row(values)

    def modified(self, ambito: Ambito) -> datetime | date | None:
        qs = self.queryset(ambito).order_by()
        found = qs.aggregate(**{f"m{i}": Max(f) for i, f in enumerate(self.dated_by)})
        dates = [_as_datetime(v) for v in found.values() if v is not None]
        return max(dates, default=None)


def _as_datetime(value):
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, datetime.min.time()))


def page(name: str, **kwargs: int) -> str:
    """The canonical address of a page of the portal (SITE_URL)."""
    return settings.SITE_URL + object_url(name, **kwargs)


def split(value: str | None) -> str:
    return value or ""


C = Column
