import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import (
    DOCUMENT_KINDS,
    IMAGE_KINDS,
    FileKindValidator,
    detect_kind,
    reencode_image,
    safe_filename,
)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
DOCX = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
P7M = bytes.fromhex("3080") + bytes.fromhex("06092a864886f70d010702") + b"\x00" * 40


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", PDF, "pdf"),
        ("a.docx", DOCX, "docx"),
        ("a.odt", ODT, "odt"),
        ("a.p7m", P7M, "p7m"),
        ("a.png", _png(), "png"),
    ],
)
def test_detects_kind_by_content(name, content, kind):
    assert detect_kind(io.BytesIO(content)) == kind


def test_accepts_document_with_matching_extension():
    FileKindValidator(DOCUMENT_KINDS, 1024 * 1024)(SimpleUploadedFile("domanda.pdf", PDF))


def test_refuses_executable_renamed_to_pdf():
    with pytest.raises(ValidationError) as exc:
        FileKindValidator(DOCUMENT_KINDS, 1024 * 1024)(
            SimpleUploadedFile("domanda.pdf", b"MZ\x90\x00" + b"\x00" * 100)
        )
    assert exc.value.code == "file_type"
    assert "Tipo di file non ammesso" in exc.value.messages[0]


def test_refuses_extension_that_lies_about_content():
    with pytest.raises(ValidationError) as exc:
        FileKindValidator(DOCUMENT_KINDS, 1024 * 1024)(SimpleUploadedFile("domanda.docx", PDF))
    assert exc.value.code == "file_extension"


def test_refuses_oversize_file_with_sizes_in_message():
    with pytest.raises(ValidationError) as exc:
        FileKindValidator(DOCUMENT_KINDS, 10)(SimpleUploadedFile("a.pdf", PDF))
    assert exc.value.code == "file_too_big"
    assert "troppo grande" in exc.value.messages[0]


def test_refuses_zip_bomb():
    bomb = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"0" * (210 * 1024 * 1024)})
    with pytest.raises(ValidationError) as exc:
        FileKindValidator({"xlsx"}, 50 * 1024 * 1024)(SimpleUploadedFile("a.xlsx", bomb))
    assert exc.value.code == "zip_bomb"


def test_refuses_empty_file():
    with pytest.raises(ValidationError):
        FileKindValidator(IMAGE_KINDS, 1024)(SimpleUploadedFile("a.png", b""))


def test_reencode_image_returns_clean_png():
    out = reencode_image(SimpleUploadedFile("logo.jpeg", _png()), max_side=5)
    assert out.name == "logo.png"
    with Image.open(io.BytesIO(out.read())) as img:
        assert img.format == "PNG" and max(img.size) == 5


def test_reencode_refuses_garbage():
    with pytest.raises(ValidationError):
        reencode_image(SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\nnot really"))


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\evil.PDF", "evil.pdf"),
        (".htaccess", "htaccess"),
        ("a b.pdf", "a_b.pdf"),
    ],
)
def test_safe_filename(raw, safe):
    assert safe_filename(raw) == safe
