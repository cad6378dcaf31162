from __future__ import annotations

import io

import pytest
from PIL import Image

from ambito.models import Comune
from entities.models import Activity, Entity
from tests.factories.entities import valid_tax_code


@pytest.fixture
def png_bytes():
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def registration_data(ambito):
    """POST data of a complete, valid registration."""
    seat: Comune = ambito.lead_comune
    return {
        "name": "Associazione Nuova Luce ODV",
        "tax_code": valid_tax_code(5001),
        "vat_number": "",
        "legal_form": Entity.LegalForm.ODV,
        "runts_section": Entity.RunstSection.A,
        "runts_status": Entity.RunstStatus.REGISTERED,
        "runts_number": "R-778899",
        "runts_date": "2023-05-10",
        "address": "Via Nolfi 3",
        "postal_code": "61032",
        "seat_comune": str(seat.pk),
        "pec": "nuovaluce@pec.example.org",
        "email": "info@nuovaluce.example.org",
        "phone": "0721 123456",
        "website": "https://nuovaluce.example.org",
        "legal_representative": "Anna Bianchi",
        "activities": [str(Activity.objects.get(code="a").pk)],
        "operating_comuni": [str(seat.pk)],
        "volunteers": "12",
        "employees": "0",
        "description": "Sostegno scolastico.",
    }
