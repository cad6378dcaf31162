"""Digital signatures: the tests make their own PKI (a root CA and a signer with an Italian
fiscal code), sign a document as .p7m (cryptography's PKCS7 builder, nested too) and a PDF
with pyHanko, and read back the report; a tampered file is reported invalid."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from django.template import Context, Template

from core import signatures


def _name(**parts) -> x509.Name:
    oids = {"cn": NameOID.COMMON_NAME, "o": NameOID.ORGANIZATION_NAME,
            "given": NameOID.GIVEN_NAME, "sn": NameOID.SURNAME, "serial": NameOID.SERIAL_NUMBER}  # fmt: skip
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in parts.items()])


def _cert(subject, issuer, key, issuer_key, *, ca: bool):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


class Pki:
    def __init__(
        self,
        org: str = "CA di prova",
        *,
        given: str = "Mario",
        surname: str = "Rossi",
        fiscal_code: str = "RSSMRA80A01H501U",
    ):
        self.ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_name = _name(cn=f"{org} Root", o=org)
        self.ca = _cert(ca_name, ca_name, self.ca_key, self.ca_key, ca=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(
            cn=f"{given} {surname}", given=given, sn=surname, serial=f"TINIT-{fiscal_code}"
        )
        self.cert = _cert(subject, ca_name, self.key, self.ca_key, ca=False)

    def p7m(self, data: bytes) -> bytes:
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(data)
            .add_signer(self.cert, self.key, hashes.SHA256())
            .add_certificate(self.ca)
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
        )

    def signed_pdf(self, pdf: bytes | None = None, *, field_name: str = "Firma1") -> bytes:
        """`pdf` (a blank page when None) signed incrementally (PAdES) in `field_name`."""
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore
        from pypdf import PdfWriter

        if pdf is None:
            blank = BytesIO()
            writer = PdfWriter()
            writer.add_blank_page(595, 842)
            writer.write(blank)
            pdf = blank.getvalue()
        der = serialization.Encoding.DER
        signer = signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(self.cert.public_bytes(der)),
            signing_key=keys.PrivateKeyInfo.load(
                self.key.private_bytes(
                    der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            ),
            cert_registry=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(self.ca.public_bytes(der))]
            ),
        )
        out = signatures.outside_event_loop(
            signers.sign_pdf,
            IncrementalPdfFileWriter(BytesIO(pdf), strict=False),
            signers.PdfSignatureMetadata(field_name=field_name),
            signer=signer,
        )
        return out.getvalue()

    def trust_folder(self, tmp_path) -> str:
        folder = tmp_path / "roots"
        folder.mkdir()
        (folder / "root.pem").write_bytes(self.ca.public_bytes(serialization.Encoding.PEM))
        return str(folder)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


DOCUMENT = b"Dichiarazione sostitutiva di atto di notorieta' (DPR 445/2000) - Associazione Il Faro"


def test_p7m_report_names_the_signer_and_is_valid(pki, settings):
    settings.SIGNATURE_TRUST_ROOTS = ""
    report = signatures.inspect(pki.p7m(DOCUMENT))
    assert report.kind == "cades" and report.valid and report.content == DOCUMENT
    [signer] = report.signers
    assert (signer.name, signer.fiscal_code, signer.issuer) == (
        "Mario Rossi",
        "RSSMRA80A01H501U",
        "CA di prova",
    )
    assert abs(datetime.fromisoformat(signer.signed_at) - datetime.now(UTC)) < timedelta(minutes=5)
    assert signer.trusted is None and report.trusted is None and not report.trust_checked


def test_nested_p7m_reports_every_envelope(pki):
    other = Pki("Altra CA")
    report = signatures.inspect(other.p7m(pki.p7m(DOCUMENT)))
    assert [s.issuer for s in report.signers] == ["Altra CA", "CA di prova"]
    assert report.valid and report.content == DOCUMENT


def test_p7m_in_base64_is_read(pki):
    import base64

    assert signatures.inspect(base64.b64encode(pki.p7m(DOCUMENT))).valid


def test_tampered_p7m_is_invalid(pki):
    data = pki.p7m(DOCUMENT)
    tampered = data.replace(b"Il Faro", b"Il Faso")
    assert tampered != data
    report = signatures.inspect(tampered)
    assert not report.valid
    assert report.signers[0].note == "Il documento è stato modificato dopo la firma."


def test_trust_list_says_trusted_or_not(pki, tmp_path, settings):
    settings.SIGNATURE_TRUST_ROOTS = pki.trust_folder(tmp_path)
    assert signatures.inspect(pki.p7m(DOCUMENT)).trusted is True
    report = signatures.inspect(Pki("CA sconosciuta").p7m(DOCUMENT))
    assert report.valid and report.trust_checked and report.trusted is False


def test_unsigned_file_is_not_signed():
    report = signatures.inspect(b"just text")
    assert not report.is_signed and not report.valid
    assert report.error == "Il file non contiene una firma digitale."


def test_signed_pdf_report(pki, tmp_path, settings):
    pdf = pki.signed_pdf()
    settings.SIGNATURE_TRUST_ROOTS = ""
    report = signatures.inspect(pdf)
    assert report.kind == "pades" and report.valid, report
    [signer] = report.signers
    assert (signer.name, signer.fiscal_code) == ("Mario Rossi", "RSSMRA80A01H501U")
    assert signer.signed_at and signer.trusted is None
    settings.SIGNATURE_TRUST_ROOTS = pki.trust_folder(tmp_path)
    assert signatures.inspect(pdf).trusted is True


def test_pdf_signatures_are_made_and_checked_under_a_running_event_loop(pki):
    """pyHanko's synchronous calls start their own event loop: under a running one (the browser
    tests' Playwright, an ASGI server) they must still sign and verify."""

    async def under_a_loop():
        return signatures.inspect(pki.signed_pdf())

    report = asyncio.run(under_a_loop())
    assert report.kind == "pades" and report.valid, report


def test_tampered_pdf_is_invalid(pki):
    pdf = pki.signed_pdf()
    index = pdf.index(b"/MediaBox")
    tampered = pdf[:index] + b"/MediaBoX" + pdf[index + 9 :]
    report = signatures.inspect(tampered)
    assert not report.valid


def test_report_survives_json_and_renders(pki, settings):
    settings.SIGNATURE_TRUST_ROOTS = ""
    stored = signatures.inspect(pki.p7m(DOCUMENT)).as_json()
    assert stored["valid"] is True
    html = Template("{% load signatures %}{% signature_report report %}").render(
        Context({"report": stored})
    )
    assert "Mario Rossi" in html and "RSSMRA80A01H501U" in html
    assert "firma valida" in html and "firmato il" in html
    assert "Certificati non verificati rispetto a un elenco" in html
