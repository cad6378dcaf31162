"""Upload checks: by content, not by name. Every FileField that takes user files uses
`FileKindValidator`; images are re-encoded with `reencode_image` before they are stored."""

from __future__ import annotations

import base64
import binascii
import io
import os
import zipfile
from collections.abc import Iterable

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# kind -> (extensions accepted, human label)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "PDF"),
    "odt": ((".odt",), "ODT"),
    "ods": ((".ods",), "ODS"),
    "docx": ((".docx",), "DOCX"),
    "xlsx": ((".xlsx",), "XLSX"),
    "p7m": ((".p7m",), "P7M (firmato)"),
    "png": ((".png",), "PNG"),
    "jpeg": ((".jpg", ".jpeg"), "JPEG"),
    "webp": ((".webp",), "WEBP"),
    "csv": ((".csv", ".txt"), "CSV"),
}
DOCUMENT_KINDS = frozenset({"pdf", "odt", "docx", "p7m"})
IMAGE_KINDS = frozenset({"png", "jpeg", "webp"})
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 5000
# ASN.1 OID 1.2.840.113549.1.7.2 (PKCS#7 signedData), DER-encoded
_SIGNED_DATA_OID = bytes.fromhex("2a864886f70d010702")


def _zip_names(head: bytes, file) -> set[str] | None:
    if not head.startswith(b"PK\x03\x04"):
        return None
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if (
                len(infos) > MAX_ZIP_MEMBERS
                or total > MAX_ZIP_UNCOMPRESSED
                or total / packed > MAX_ZIP_RATIO
            ):
                raise ValidationError(
                    _("Il file compresso è anomalo (troppo grande una volta estratto)."),
                    code="zip_bomb",
                )
            names = {i.filename for i in infos}
            if "mimetype" in names:
                names.add(
                    "mimetype:" + archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                )
            return names
    except zipfile.BadZipFile:
        return None


def detect_kind(file) -> str | None:
    """Return the kind of the file's content, or None when it is none we know."""
    file.seek(0)
    head = file.read(4096)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    names = _zip_names(head, file)
    file.seek(0)
    if names is not None:
        if "mimetype:application/vnd.oasis.opendocument.text" in names:
            return "odt"
        if "mimetype:application/vnd.oasis.opendocument.spreadsheet" in names:
            return "ods"
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        return None
    if head[:1] == b"\x30" and _SIGNED_DATA_OID in head[:64]:
        return "p7m"
    if _SIGNED_DATA_OID in _base64_prefix(head)[:64]:
        return "p7m"  # base64 (PEM or bare) signed envelopes, as some signing tools produce
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "csv"
        except UnicodeDecodeError:
            try:
                head.decode("cp1252")
                return "csv"
            except UnicodeDecodeError:
                return None
    return None


def _base64_prefix(head: bytes) -> bytes:
    lines = [line for line in head.splitlines() if not line.startswith(b"-----")]
    body = b"".join(b"".join(lines).split())[:400]
    body = body[: len(body) - len(body) % 4]
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return b""


def safe_filename(name: str, max_length: int = 120) -> str:
    """A storage-safe file name: no folders, no tricks, a sane length."""
    base = os.path.basename(name.replace("\\", "/").replace("\x00", "")).strip().lstrip(".")
    try:
        base = get_valid_filename(base) if base else "file"
    except SuspiciousFileOperation:  # nothing usable left (e.g. "{" or "..")
        base = "file"
    base = base.lstrip(".") or "file"
    stem, ext = os.path.splitext(base)
    return (stem[: max_length - len(ext)] or "file") + ext.lower()


@deconstructible
class FileKindValidator:
    """Accepts a file only if its content is one of `kinds`, its extension matches the content
    and it is not bigger than `max_bytes`."""

    def __init__(self, kinds: Iterable[str], max_bytes: int):
        self.kinds = tuple(sorted(kinds))
        self.max_bytes = max_bytes

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileKindValidator) and (self.kinds, self.max_bytes) == (
            other.kinds,
            other.max_bytes,
        )

    def __call__(self, file) -> None:
        allowed = ", ".join(KINDS[k][1] for k in self.kinds)
        if file.size is not None and file.size > self.max_bytes:
            raise ValidationError(
                _("Il file è troppo grande (%(size)s): il massimo è %(max)s.")
                % {"size": filesizeformat(file.size), "max": filesizeformat(self.max_bytes)},
                code="file_too_big",
            )
        if not file.size:
            raise ValidationError(_("Il file è vuoto."), code="file_empty")
        ext = os.path.splitext(file.name or "")[1].lower()
        kind = detect_kind(file)
        if kind not in self.kinds:
            raise ValidationError(
                _("Tipo di file non ammesso: sono accettati solo %(allowed)s.")
                % {"allowed": allowed},
                code="file_type",
            )
        if ext not in KINDS[kind][0]:
            raise ValidationError(
                _("L'estensione del file (%(ext)s) non corrisponde al suo contenuto (%(kind)s).")
                % {"ext": ext or "—", "kind": KINDS[kind][1]},
                code="file_extension",
            )


def reencode_image(file, *, max_side: int = 1024) -> ContentFile:
    """Decode and re-encode an uploaded image as PNG: drops metadata and anything hidden in it."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 40_000_000
    file.seek(0)
    try:
        with Image.open(file) as decoded:
            decoded.load()
            mode = "RGBA" if decoded.mode in ("P", "LA", "RGBA") else "RGB"
            img = decoded.convert(mode)
            img.thumbnail((max_side, max_side))
            out = io.BytesIO()
            img.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("L'immagine non è leggibile."), code="image_invalid") from exc
    stem = os.path.splitext(safe_filename(file.name or "image"))[0]
    return ContentFile(out.getvalue(), name=f"{stem}.png")
