"""State changes of ambito/: importing the official list of comuni."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction

from ambito.models import Comune


@transaction.atomic
def comuni_import(records: Iterable[Mapping[str, str]]) -> tuple[int, int]:
    """Create or update comuni from ISTAT records. Idempotent: returns (created, updated)."""
    existing = {c.istat_code: c for c in Comune.objects.all()}
    to_create: list[Comune] = []
    to_update: list[Comune] = []
    fields = ["name", "province", "province_code", "region", "cadastral_code"]
    for r in records:
        values = {
            "name": r["denominazione_italiana"].strip(),
            "province": r["provincia"].strip(),
            "province_code": r["sigla_provincia"].strip(),
            "region": r["regione"].strip(),
            "cadastral_code": r.get("codice_catastale", "").strip(),
        }
        code = r["codice_istat"].strip().zfill(6)
        current = existing.get(code)
        if current is None:
            to_create.append(Comune(istat_code=code, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    Comune.objects.bulk_create(to_create, batch_size=1000)
    Comune.objects.bulk_update(to_update, fields, batch_size=1000)
    return len(to_create), len(to_update)
