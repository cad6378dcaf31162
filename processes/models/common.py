"""Shared pieces of the procedure models: where uploads go and which files they accept."""

from __future__ import annotations

from django.utils import timezone

from core.uploads import DOCUMENT_KINDS, FileKindValidator

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_VALIDATOR = FileKindValidator(DOCUMENT_KINDS, MAX_DOCUMENT_BYTES)


def _upload_to(instance, filename: str) -> str:
    from core.uploads import safe_filename

    return f"processes/{timezone.now():%Y/%m}/{safe_filename(filename)}"
