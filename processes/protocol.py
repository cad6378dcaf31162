"""The protocol register: every application, integration answer and report an entity submits is
registered, and the number and date the register gives are the ones on the receipt.

`PROTOCOL_BACKEND` (a dotted path) picks the adapter:
- `processes.protocol.InternalCounter` (default): the portal's own register, one gap-free series
  per ambito and year (`ProtocolCounter`, locked while a number is taken);
- `processes.protocol.HttpProtocol`: the ente capofila's protocol system, spoken to over HTTP as
  README ("Protocollo") specifies: `POST {PROTOCOL_URL}/registrazioni` with a bearer token and a
  JSON filing; it answers 201 with `{"numero": "...", "data": "<ISO 8601>"}`.

Registration happens inside the submission's transaction: when the register cannot give a
number, the submission fails whole (`ProtocolUnavailable`, shown to the entity as "try again")
and nothing is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from ambito.models import Ambito
from core.storage import sha256_of
from processes.models import ProtocolCounter, protocol_prefix


class ProtocolUnavailable(Exception):
    """The register gave no number (unreachable, refused, or answered nonsense)."""


@dataclass(frozen=True)
class Document:
    filename: str
    sha256: str

    @classmethod
    def of(cls, stored) -> Document:
        """A stored file (FieldFile) as the register sees it: its name and its fingerprint."""
        return cls(filename=stored.name.rsplit("/", 1)[-1], sha256=sha256_of(stored))


@dataclass(frozen=True)
class Filing:
    """What is registered: an incoming document of an entity, for an ambito."""

    ambito: Ambito
    kind: str  # "domanda", "integrazione", "rendicontazione"
    subject: str
    sender_name: str
    sender_tax_code: str
    sender_pec: str
    documents: tuple[Document, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Registration:
    number: str
    registered_at: datetime


class InternalCounter:
    """The portal's own register: `<prefix>-<year>-<000001>`, without gaps."""

    def register(self, filing: Filing) -> Registration:
        now = timezone.now()
        return Registration(number=next_number(ambito=filing.ambito, when=now), registered_at=now)


def next_number(*, ambito: Ambito, when: datetime) -> str:
    """Take the next number of `ambito` in the year of `when`: the counter row is locked until the
    transaction ends, so two submissions never get the same number and none is skipped."""
    year = timezone.localtime(when).year
    ProtocolCounter.objects.get_or_create(ambito=ambito, year=year)
    counter = ProtocolCounter.objects.select_for_update().get(ambito=ambito, year=year)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    return f"{protocol_prefix(ambito)}-{year}-{counter.last_number:06d}"


class HttpProtocol:
    """The ente capofila's protocol system over HTTP (the interface README specifies)."""

    def __init__(self) -> None:
        self.url = settings.PROTOCOL_URL.rstrip("/")
        self.token = settings.PROTOCOL_TOKEN
        self.timeout = settings.PROTOCOL_TIMEOUT

    def register(self, filing: Filing) -> Registration:
        body: dict[str, Any] = {
            "amministrazione": filing.ambito.code,
            "verso": "entrata",
            "tipo": filing.kind,
            "oggetto": filing.subject,
            "mittente": {
                "denominazione": filing.sender_name,
                "codice_fiscale": filing.sender_tax_code,
                "pec": filing.sender_pec,
            },
            "documenti": [{"nome": d.filename, "sha256": d.sha256} for d in filing.documents],
        }
        try:
            response = requests.post(
                f"{self.url}/registrazioni",
                json=body,
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise ProtocolUnavailable(str(exc)) from exc
        if response.status_code != 201:
            raise ProtocolUnavailable(f"HTTP {response.status_code}")
        try:
            data = response.json()
            number = str(data["numero"]).strip()
            registered_at = parse_datetime(str(data["data"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ProtocolUnavailable(f"unreadable answer: {exc}") from exc
        if not number or registered_at is None or len(number) > 40:
            raise ProtocolUnavailable("the answer names no number or date")
        if timezone.is_naive(registered_at):
            registered_at = timezone.make_aware(registered_at)
        return Registration(number=number, registered_at=registered_at)


def register(filing: Filing) -> Registration:
    """Register `filing` with the configured register (`PROTOCOL_BACKEND`)."""
    return import_string(settings.PROTOCOL_BACKEND)().register(filing)


# Shown to the entity when the register gave no number (the submission did not happen).
UNAVAILABLE = gettext_lazy(
    "Il registro di protocollo non ha risposto: nulla è stato presentato. Riprova tra qualche "
    "minuto; se il problema continua, contatta l'Ufficio di Piano."
)
